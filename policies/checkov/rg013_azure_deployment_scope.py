"""CKV_RG_13 = RG013 (Azure OpenAI deployment SKU processes outside the region).

Applies to `Pulumi.<stack>.yaml` files (yaml framework) and `pulumi preview --json` /
`pulumi stack export` files (json framework); any other file is left alone.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG013"
NAME = "Ensure Azure OpenAI deployment SKUs process data in the stack's region"


class AzureDeploymentScopeYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class AzureDeploymentScopeJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = AzureDeploymentScopeYaml()
json_check = AzureDeploymentScopeJson()
