"""CKV_RG_20 = RG020 (SDK variables that send OpenAI traffic to another provider or host).

Applies to `Pulumi.<stack>.yaml` files (yaml framework) and `pulumi preview --json` /
`pulumi stack export` files (json framework); any other file is left alone.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG020"
NAME = "Ensure SDK variables send OpenAI traffic to no other provider or proxy"


class OtherProviderSelectedYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class OtherProviderSelectedJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = OtherProviderSelectedYaml()
json_check = OtherProviderSelectedJson()
