"""residency-guard's checkov checks: for each rule that names one (``Rule.checkov_name``), a
yaml and a json check under its id ``CKV_RG_<n>``, with its name and severity.

The yaml checks read ``Pulumi.<stack>.yaml``, ``Pulumi.yaml`` and files that ``paths:`` holds to
a region; the json checks ``pulumi preview --json`` and ``pulumi stack export`` files; CKV_RG_7
(the key detector) any YAML or JSON file. Any other file is left alone. The rules live in the
core (residency_guard/rules/); residency_guard.checkov_support runs them.

checkov execs this file under its bare name once per framework (``--framework yaml json``:
twice); each exec builds the checks anew, and checkov keeps the first check of each id.
"""

from collections.abc import Iterator

from checkov.json_doc.base_json_check import BaseJsonCheck
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from residency_guard.checkov_support import CHECKOV_RULES, JsonRuleCheck, RuleCheck, YamlRuleCheck
from residency_guard.rules import RULES

# checkov's base class for each of our framework mixins, and the class name's suffix.
_FRAMEWORKS = ((YamlRuleCheck, BaseYamlCheck, "Yaml"), (JsonRuleCheck, BaseJsonCheck, "Json"))


def _checks(rule_id: str) -> Iterator[RuleCheck]:
    """The rule's yaml and json checks; creating a check registers it with checkov."""
    rule = RULES[rule_id]
    for mixin, base, suffix in _FRAMEWORKS:
        attributes = {"rule_id": rule.id, "check_name": rule.checkov_name, "__module__": __name__}
        yield type(f"{type(rule).__name__}{suffix}", (mixin, base), attributes)()


CHECKS = [check for rule_id in CHECKOV_RULES for check in _checks(rule_id)]
