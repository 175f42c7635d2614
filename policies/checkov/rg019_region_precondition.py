"""CKV_RG_19 = RG019 (A condition the region tables put on the stack's models or surfaces).

Applies to `Pulumi.<stack>.yaml` files (yaml framework) and `pulumi preview --json` /
`pulumi stack export` files (json framework); any other file is left alone. The rule is a note
(one of its findings, the EU's GPT-6 limit, a warning): the check's severity is LOW, so that
`--hard-fail-on HIGH` lets it through as the CLI's default `--fail-on error` does.
The rule lives in the core (residency_guard/rules/); residency_guard.checkov_support runs it.
"""

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import JsonRuleCheck, YamlRuleCheck

RULE = "RG019"
NAME = "Ensure the conditions the region tables put on the stack's models and surfaces are met"


class RegionPreconditionYaml(YamlRuleCheck, BaseYamlCheck):
    rule_id = RULE
    check_name = NAME


class RegionPreconditionJson(JsonRuleCheck, BaseJsonCheck):
    rule_id = RULE
    check_name = NAME


yaml_check = RegionPreconditionYaml()
json_check = RegionPreconditionJson()
