"""CKV_RG_6 = RG006 (OPENAI_API_BASE is ignored by current SDKs).

Applies to `Pulumi.<stack>.yaml` files (yaml framework) and `pulumi preview --json` /
`pulumi stack export` files (json framework); any other file is left alone.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG006"
NAME = "Ensure OPENAI_BASE_URL is set, not the ignored OPENAI_API_BASE"


class LegacyApiBaseYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class LegacyApiBaseJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = LegacyApiBaseYaml()
json_check = LegacyApiBaseJson()
