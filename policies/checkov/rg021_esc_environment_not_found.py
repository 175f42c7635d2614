"""CKV_RG_21 = RG021 (Imported ESC environment not found).

Applies to `Pulumi.<stack>.yaml` files (yaml framework): the stack file's `environment:`
imports are read from the ESC folder as the CLI reads them. A preview or state export (json
framework) holds no imports: the check passes there. Any other file is left alone.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG021"
NAME = "Ensure imported Pulumi ESC environments are in the repository"


class EscEnvironmentNotFoundYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class EscEnvironmentNotFoundJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = EscEnvironmentNotFoundYaml()
json_check = EscEnvironmentNotFoundJson()
