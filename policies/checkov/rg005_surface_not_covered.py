"""CKV_RG_5 = RG005 (API surface not covered in the stack's region).

Applies to `Pulumi.<stack>.yaml` files (yaml framework) and `pulumi preview --json` /
`pulumi stack export` files (json framework); any other file is left alone.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG005"
NAME = "Ensure the API surfaces used are covered in the stack's region"


class SurfaceNotCoveredYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class SurfaceNotCoveredJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = SurfaceNotCoveredYaml()
json_check = SurfaceNotCoveredJson()
