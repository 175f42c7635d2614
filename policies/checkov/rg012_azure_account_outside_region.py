"""CKV_RG_12 = RG012 (Azure OpenAI account outside the stack's region).

Applies to `Pulumi.<stack>.yaml` files (yaml framework) and `pulumi preview --json` /
`pulumi stack export` files (json framework); any other file is left alone.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG012"
NAME = "Ensure Azure OpenAI accounts are in the stack's region"


class AzureAccountOutsideRegionYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class AzureAccountOutsideRegionJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = AzureAccountOutsideRegionYaml()
json_check = AzureAccountOutsideRegionJson()
