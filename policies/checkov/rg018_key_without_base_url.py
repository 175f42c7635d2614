"""CKV_RG_18 = RG018 (OpenAI API key delivered without a regional base URL).

Applies to `Pulumi.<stack>.yaml` files (env maps in config, the ESC environment's variables)
and to previews and state exports (each resource's env: Lambda, ECS, Kubernetes, App Service),
read as `residency-guard check` reads them. Any other file is left alone.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG018"
NAME = "Ensure an OpenAI API key is delivered with the region's base URL"


class KeyWithoutBaseUrlYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class KeyWithoutBaseUrlJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = KeyWithoutBaseUrlYaml()
json_check = KeyWithoutBaseUrlJson()
