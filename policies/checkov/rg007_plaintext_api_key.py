"""CKV_RG_7 = RG007 (OpenAI API key in plain text).

The OpenAI API key detector (sk-, sk-proj-, sk-svcacct-, sk-admin-): applies to every YAML
and JSON file; stack, preview and state files are read as `residency-guard check` reads them.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG007"
NAME = "Ensure no OpenAI API key is stored in plain text"


class PlaintextApiKeyYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class PlaintextApiKeyJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = PlaintextApiKeyYaml()
json_check = PlaintextApiKeyJson()
