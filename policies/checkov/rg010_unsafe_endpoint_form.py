"""CKV_RG_10 = RG010 (OpenAI endpoint in an ambiguous or unsafe form).

Applies to `Pulumi.<stack>.yaml` files (yaml framework) and `pulumi preview --json` /
`pulumi stack export` files (json framework); any other file is left alone.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG010"
NAME = "Ensure OpenAI endpoints are unambiguous https URLs"


class UnsafeEndpointFormYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class UnsafeEndpointFormJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = UnsafeEndpointFormYaml()
json_check = UnsafeEndpointFormJson()
