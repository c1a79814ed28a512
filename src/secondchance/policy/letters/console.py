"""The per-criterion explanation as a Rich tree for the terminal, in English or Spanish."""

from __future__ import annotations

from rich.console import Group as RichGroup
from rich.markup import escape
from rich.text import Text
from rich.tree import Tree

from secondchance.policy.explain import Explanation
from secondchance.policy.letters import LetterItem, format_value, item_tree, translations
from secondchance.policy.population import describe

__all__ = ["explanation_tree"]

_STATUS_STYLE = {"met": "green", "unmet": "red", "unknown": "yellow"}
_MARK = {"met": "✓", "unmet": "✗", "unknown": "?"}


def _status_words(status: str, language: str) -> str:
    gettext = translations(language).gettext
    words = {
        "eligible": gettext("Eligible: every criterion is met"),
        "almost-eligible": gettext("Almost eligible: what is not met depends only on time"),
        "needs-information": gettext("Needs information: nothing is unmet, but some criteria are unknown"),
        "ineligible": gettext("Not eligible on the records: some criteria are not met"),
        "not-in-population": gettext("Outside this screen's population"),
        "met": gettext("Met"),
        "unmet": gettext("Not met"),
        "unknown": gettext("Unknown"),
    }
    return words.get(status, status)


def _kind_words(kind: str, language: str) -> str:
    gettext = translations(language).gettext
    words = {
        "rule": gettext("rule"),
        "proxy": gettext("proxy: a person must review it"),
        "judgement": gettext("judgement: a person must review it"),
        "group": gettext("group"),
    }
    return words.get(kind, kind)


def _group_words(item: LetterItem, language: str) -> str:
    gettext = translations(language).gettext
    if item.combination == "all_of":
        return gettext("All of the following:")
    if item.combination == "any_of":
        return gettext("At least one of the following:")
    return gettext("At least %(count)s of the following:") % {"count": item.at_least}


def _node(item: LetterItem, language: str) -> RichGroup:
    gettext = translations(language).gettext
    style = _STATUS_STYLE.get(item.status, "")
    head = Text.from_markup(
        f"[bold {style}]{_MARK.get(item.status, '')} {escape(_status_words(item.status, language))}[/] "
        f"[bold]{escape(item.id)}[/] [dim]({escape(_kind_words(item.kind, language))})[/]",
        emoji=False,  # a record's `:x:` stays text
    )
    lines: list[Text] = [head, Text(item.text)]
    if item.combination:
        lines.append(Text(_group_words(item, language), style="italic"))
    if item.evidence:
        read = "; ".join(f"{name} = {value}" for name, value in item.evidence)
        lines.append(Text(f"{gettext('Records read:')} {read}", style="cyan"))
    lines += [Text(line, style="cyan") for line in item.sources]
    if item.eligible_on:
        if item.eligible_on_passed:
            note = gettext("Met on %(date)s.") % {"date": item.eligible_on}
        elif item.status == "unmet":
            note = gettext("You will meet it on %(date)s.") % {"date": item.eligible_on}
        else:
            note = gettext("It will be met on %(date)s if nothing else changes.") % {"date": item.eligible_on}
        lines.append(Text(note, style="magenta"))
    if item.status == "unknown" and item.kind != "group":
        reason = item.unknown_reason or gettext("The records do not say.")
        lines.append(Text(gettext("Why it is unknown, and who can supply it: %(reason)s") % {"reason": reason}))
    return RichGroup(*lines)


def explanation_tree(explanation: Explanation, language: str = "en") -> Tree:
    """Every criterion of the pack for the person, nested as in the pack, with status, evidence and dates."""
    gettext = translations(language).gettext
    source = (
        gettext("stored screening run %(run)s") % {"run": explanation.run_id}
        if explanation.run_id is not None
        else gettext("screened now")
    )
    header = Text.from_markup(
        f"[bold]{escape(explanation.title(language))}[/] [dim]({escape(explanation.pack.id)} "
        f"v{explanation.pack.version})[/]\n"
        + escape(
            gettext("Person %(person)s, as of %(date)s (%(source)s)")
            % {
                "person": explanation.person.source_id,
                "date": format_value(explanation.as_of, language),
                "source": source,
            }
        )
        + f"\n[bold]{escape(_status_words(explanation.status, language))}[/]",
        emoji=False,  # a record's `:x:` stays text
    )
    if explanation.eligible_on is not None:
        header.append(
            "\n"
            + gettext("Every unmet criterion is met on %(date)s.")
            % {"date": format_value(explanation.eligible_on, language)}
        )
    if not explanation.in_population:
        # Outside the population no criterion applies: name the condition that failed, list none as unmet.
        header.append("\n" + describe(explanation.population_failure, language, format_value))
        return Tree(header)
    tree = Tree(header)

    def add(parent: Tree, items: list[LetterItem]) -> None:
        for item in items:
            branch = parent.add(_node(item, language))
            add(branch, item.children)

    add(tree, item_tree(explanation, language))
    return tree
