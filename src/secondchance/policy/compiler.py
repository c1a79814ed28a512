"""The compiler from pack expressions to DuckDB or Spark SQL (SQLGlot).

An expression from a pack file is someone else's text, so it goes through four gates:
1. limits before parsing (`policy.limits`): length, tokens and nesting, so the parser cannot run
   out of stack;
2. SQLGlot parses it as DuckDB SQL, and the tree is measured (depth, nodes) without recursion;
3. `typecheck.ExpressionChecker` rebuilds it from checked parts only, against the allow-list of
   `policy.allowlist` (facts, `:parameters`, operators and the listed functions), typing every
   argument;
4. the rebuilt tree is walked once more against the allow-list of compiled forms; and every SQL
   text `render` produces is read back in its own dialect and walked again before any engine
   sees it.
Parameters stay placeholders until `render` substitutes their typed values as of a date.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from secondchance.errors import UserError
from secondchance.policy import limits
from secondchance.policy.allowlist import verify_sql, verify_tree
from secondchance.policy.facts import FACTS
from secondchance.policy.pack import Criterion, Group, Pack, ParameterValue
from secondchance.policy.parameters import AS_OF, ValueType, value_type
from secondchance.policy.typecheck import ExpressionChecker, ExprType, allowed_names, type_words

__all__ = [
    "ALLOWED_FUNCTIONS",
    "CompiledCriterion",
    "CompiledExpression",
    "CompiledPack",
    "Dialect",
    "ExprType",
    "ExpressionError",
    "compile_expression",
    "default_catalogue",
    "literal",
    "render",
    "type_words",
]

Dialect = Literal["duckdb", "spark"]
ALLOWED_FUNCTIONS: tuple[str, ...] = allowed_names()
_DATE_TYPE = exp.DataType.build("DATE")


def default_catalogue() -> dict[str, str]:
    """The facts a pack may read, from the facts catalogue: name -> type."""
    return {fact.name: fact.type for fact in FACTS}


@dataclass(frozen=True)
class ExpressionError:
    """One problem in one expression, with its position inside the expression when known."""

    reason: str
    line: int | None = None  # 1-based line within the expression text
    column: int | None = None  # 1-based column within that line


@dataclass(frozen=True)
class CompiledExpression:
    """A checked, typed expression; parameters are still `:placeholders`."""

    source: str
    tree: exp.Expression
    type: ExprType
    facts: tuple[str, ...]
    parameters: tuple[str, ...]
    # (parameter, unit) of each parameter that moves a date; its values must stay within the calendar
    date_shift_parameters: tuple[tuple[str, str], ...] = ()
    # (parameter, type) of each list parameter after IN, with the type of the value it is compared with
    list_parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CompiledCriterion:
    """A criterion or group with its compiled expressions, and its children for groups."""

    node: Criterion | Group
    alias: str  # a SQL-safe column stem, n0, n1, ...
    parent_id: str | None
    test: CompiledExpression | None = None
    eligible_on: CompiledExpression | None = None
    children: tuple[CompiledCriterion, ...] = ()

    @property
    def id(self) -> str:
        """The criterion id."""
        return self.node.id

    @property
    def kind(self) -> str:
        """`rule`, `proxy`, `judgement`, or `group`."""
        return self.node.kind if isinstance(self.node, Criterion) else "group"

    def evidence_facts(self) -> tuple[str, ...]:
        """The facts read by the test and the eligible_on expression, in order of first use."""
        names: list[str] = []
        for compiled in (self.test, self.eligible_on):
            if compiled is not None:
                names += [name for name in compiled.facts if name not in names]
        return tuple(names)


@dataclass(frozen=True)
class CompiledPack:
    """A pack whose every expression has been checked and compiled."""

    pack: Pack
    path: str
    sha256: str
    population: CompiledExpression | None
    criteria: tuple[CompiledCriterion, ...]
    fact_types: Mapping[str, str] = field(default_factory=dict)

    def all_criteria(self) -> list[CompiledCriterion]:
        """Every criterion and group, parents before their children."""
        found: list[CompiledCriterion] = []

        def walk(nodes: tuple[CompiledCriterion, ...]) -> None:
            for node in nodes:
                found.append(node)
                walk(node.children)

        walk(self.criteria)
        return found

    def facts_read(self) -> tuple[str, ...]:
        """Every fact the pack reads (population, tests, eligible_on)."""
        names: list[str] = list(self.population.facts) if self.population else []
        for criterion in self.all_criteria():
            names += [name for name in criterion.evidence_facts() if name not in names]
        return tuple(dict.fromkeys(names))


def _parse_problem(error: ParseError) -> ExpressionError:
    first = error.errors[0] if error.errors else {}
    description = str(first.get("description") or error).rstrip(".")
    near = str(first.get("start_context") or "") + str(first.get("highlight") or "")
    where = f" near '{near.strip()}'" if near.strip() else ""
    return ExpressionError(
        f"this is not a valid expression: {description.lower()}{where}", line=first.get("line"), column=first.get("col")
    )


def _too_big_before_parsing(text: str) -> ExpressionError | None:
    """Length, tokens and bracket nesting, measured before the (recursive) parser runs."""
    if len(text) > limits.MAX_EXPRESSION_CHARS:
        return ExpressionError(f"an expression is at most {limits.MAX_EXPRESSION_CHARS:,} characters")
    try:
        tokens = sqlglot.tokenize(text, read="duckdb")
    except TokenError as error:
        return ExpressionError(f"this is not a valid expression: {str(error).splitlines()[0]}")
    if len(tokens) > limits.MAX_EXPRESSION_TOKENS:
        return ExpressionError(f"an expression has at most {limits.MAX_EXPRESSION_TOKENS:,} words and symbols")
    depth = deepest = 0
    for token in tokens:
        depth += {"L_PAREN": 1, "R_PAREN": -1}.get(token.token_type.name, 0)
        deepest = max(deepest, depth)
    if deepest > limits.MAX_EXPRESSION_DEPTH:
        return ExpressionError(f"an expression nests brackets at most {limits.MAX_EXPRESSION_DEPTH} deep")
    return None


def _too_big_after_parsing(tree: exp.Expression) -> ExpressionError | None:
    """Depth and size of the parsed tree, measured without recursion."""
    nodes, deepest, stack = 0, 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        nodes, deepest = nodes + 1, max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter_expressions())
    if deepest > limits.MAX_EXPRESSION_DEPTH:
        return ExpressionError(
            f"an expression nests at most {limits.MAX_EXPRESSION_DEPTH} levels deep; split it into criteria"
        )
    if nodes > limits.MAX_EXPRESSION_NODES:
        return ExpressionError(f"an expression has at most {limits.MAX_EXPRESSION_NODES:,} parts; split it")
    return None


def _parse(text: str) -> tuple[exp.Expression | None, ExpressionError | None]:
    """The one statement of an expression, parsed within the limits, or the problem."""
    problem = _too_big_before_parsing(text)
    if problem is not None:
        return None, problem
    try:
        parsed = sqlglot.parse(text, read="duckdb")
    except ParseError as error:
        return None, _parse_problem(error)
    except TokenError as error:
        return None, ExpressionError(f"this is not a valid expression: {error}")
    except RecursionError:
        return None, ExpressionError("an expression nests too deeply (NOT NOT ... or - - ...); simplify it")
    statements = [statement for statement in parsed if isinstance(statement, exp.Expression)]
    if len(statements) != 1:
        return None, ExpressionError("write one expression, without ';'" if statements else "the expression is empty")
    return statements[0], _too_big_after_parsing(statements[0])


# Tokens that carry what an author wrote (not the punctuation a printer may add or drop).
_WORDS = frozenset({"VAR", "IDENTIFIER", "STRING", "NUMBER", "SELECT", "FROM", "WITH", "STAR", "UNION", "JOIN"})


def _words(text: str) -> Counter[str]:
    """The words of an expression (`if(...)`, which a printer writes as CASE, aside)."""
    tokens = sqlglot.tokenize(text, read="duckdb")
    return Counter(
        token.text.lower() for token in tokens if token.token_type.name in _WORDS and token.text.lower() != "if"
    )


def _ignored_words(text: str, parsed: exp.Expression) -> ExpressionError | None:
    """What the parser dropped: SQLGlot ignores, for instance, a fourth argument of date_diff."""
    lost = _words(text) - _words(parsed.sql("duckdb"))
    if not lost:
        return None
    shown = ", ".join(sorted(lost))[:60]
    return ExpressionError(
        f"part of the expression would be ignored ({shown}); check how many values each function takes"
    )


def _type_problem(kind: str, expect: ExprType | None, role: str) -> ExpressionError | None:
    if expect is None or kind in (expect, "null", "any"):
        return None
    if expect == "boolean":
        return ExpressionError(f"{role} must be a yes/no condition, but this is {type_words(kind)}")
    return ExpressionError(f"{role} must give {type_words(expect)}, but this gives {type_words(kind)}")


def compile_expression(
    text: str,
    *,
    facts: Mapping[str, str],
    parameters: Mapping[str, ValueType | None],
    expect: ExprType | None = None,
    role: str = "the expression",
) -> tuple[CompiledExpression | None, list[ExpressionError]]:
    """Parse, check and type one expression; returns the compiled expression or the problems found."""
    parsed, problem = _parse(text)
    if parsed is None or problem is not None:
        return None, [problem] if problem else []
    checker = ExpressionChecker(facts, parameters)
    try:
        tree, kind = checker.check(parsed)
    except RecursionError:
        return None, [ExpressionError("an expression nests too deeply; simplify it")]
    errors = [ExpressionError(reason) for reason in checker.errors]
    if not errors:
        problem = _ignored_words(text, parsed) or _type_problem(kind, expect, role)
        errors = [problem] if problem else []
    if not errors:
        refused = verify_tree(tree, checker.facts_read, [*checker.parameters_read, AS_OF])
        if refused:
            reason = f"this expression cannot be compiled safely ({'; '.join(refused[:3])}); please report it"
            errors = [ExpressionError(reason)]
    if errors:
        return None, errors
    compiled = CompiledExpression(
        text,
        tree,
        kind,
        tuple(checker.facts_read),
        tuple(checker.parameters_read),
        tuple(dict.fromkeys(checker.date_shift_parameters)),
        tuple(dict.fromkeys(checker.list_parameters)),
    )
    return compiled, []


def literal(value: ParameterValue) -> exp.Expression:
    """A typed SQL literal for a parameter value."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, date):
        return exp.Cast(this=exp.Literal.string(value.isoformat()), to=_DATE_TYPE.copy())
    if isinstance(value, list):
        return exp.Tuple(expressions=[literal(item) for item in value])
    return exp.Literal.string(value)


def substitute(tree: exp.Expression, values: Mapping[str, ParameterValue]) -> exp.Expression:
    """The tree with every `:parameter` replaced by its typed literal (lists expand inside IN)."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.In):
            items: list[exp.Expression] = []
            for item in node.expressions:
                value = values.get(str(item.this)) if isinstance(item, exp.Placeholder) else None
                if isinstance(value, list):
                    items += [literal(element) for element in value]
                else:
                    items.append(item)
            node.set("expressions", items)
            return node
        if isinstance(node, exp.Placeholder):
            return literal(values[str(node.this)])
        return node

    return tree.copy().transform(replace)


def _check_date_shifts(compiled: CompiledExpression, values: Mapping[str, ParameterValue]) -> None:
    """Refuse a parameter value that would move a date beyond `limits.MAX_DATE_SHIFT`."""
    for name, unit in compiled.date_shift_parameters:
        value = values.get(name)
        bound = limits.MAX_DATE_SHIFT[unit]
        if isinstance(value, int | float) and abs(value) > bound:
            raise UserError(f"parameter {name} = {value} moves a date by more than {bound:,} {unit.lower()}s")


def _check_lists(compiled: CompiledExpression, values: Mapping[str, ParameterValue]) -> None:
    """Refuse a list parameter whose values are not of the type of what IN compares them with."""
    for name, kind in compiled.list_parameters:
        value = values.get(name)
        for item in value if isinstance(value, list) else []:
            item_kind = value_type(item)
            numbers = {item_kind, kind} <= {"integer", "number"}
            if kind not in ("any", "null") and item_kind != kind and not numbers:
                raise UserError(
                    f"parameter {name} holds {type_words(item_kind)} ({item!r}), "
                    f"but IN compares it with {type_words(kind)}"
                )


def render(compiled: CompiledExpression, values: Mapping[str, ParameterValue], dialect: Dialect) -> str:
    """The SQL of an expression for `dialect`, with parameters substituted, read back and verified."""
    _check_date_shifts(compiled, values)
    _check_lists(compiled, values)
    rendered = substitute(compiled.tree, values)
    if dialect == "spark":
        rendered = rendered.transform(_spark_int_count)
    sql = rendered.sql(dialect)
    verify_sql(sql, dialect, compiled.facts)
    return sql


def _spark_int_count(node: exp.Expression) -> exp.Expression:
    """Spark's DATE_ADD and ADD_MONTHS take an INT count, and a whole-number fact is a BIGINT: cast it."""
    if isinstance(node, exp.DateAdd):
        count = node.expression
        literal_count = isinstance(count, exp.Literal) or (
            isinstance(count, exp.Neg) and isinstance(count.this, exp.Literal)
        )
        if not literal_count:
            node.set("expression", exp.Cast(this=count, to=exp.DataType.build("INT")))
    return node
