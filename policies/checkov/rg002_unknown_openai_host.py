"""CKV_RG_2 = RG002 (Unknown or misconfigured OpenAI host).

Applies to `Pulumi.<stack>.yaml` files (yaml framework) and `pulumi preview --json` /
`pulumi stack export` files (json framework); any other file is left alone.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG002"
NAME = "Ensure OpenAI hosts are known and correctly configured"


class UnknownOpenAIHostYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class UnknownOpenAIHostJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = UnknownOpenAIHostYaml()
json_check = UnknownOpenAIHostJson()
