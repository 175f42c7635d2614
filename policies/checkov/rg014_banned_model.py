"""CKV_RG_14 = RG014 (Model banned by the team catalog).

Applies to `Pulumi.<stack>.yaml` files (yaml framework) and `pulumi preview --json` /
`pulumi stack export` files (json framework); any other file is left alone.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG014"
NAME = "Ensure no model banned by the team catalog is used"


class BannedModelYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class BannedModelJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = BannedModelYaml()
json_check = BannedModelJson()
