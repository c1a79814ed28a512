"""DuckDB SQL to Spark SQL for the facts query: SQLGlot's transpiler plus the rewrites that keep DuckDB's meaning.

The facts are written once, in DuckDB SQL (`policy.facts.query`); Spark runs their translation. SQLGlot
translates syntax; these rewrites carry over the semantics where the two engines differ:
- `arg_max(x, k)` skips rows whose `x` is NULL in DuckDB, while Spark's `max_by` keeps them: the
  ordering is made NULL for such rows (`arg_max_null` keeps them, as `max_by` does);
- `arg_max(x, k, n)` (the top n, as a list) becomes a sorted `collect_list` sliced to n;
- when the ordering is a struct, DuckDB ranks a NULL field above any value and Spark below, so each
  field is preceded by its own "is NULL" flag;
- `to_months(n)` and `to_days(n)` become Spark's interval constructors;
- a decimal literal is a DOUBLE, as in DuckDB's division (`x / 12.0` is a DOUBLE in DuckDB, a DECIMAL in Spark);
- `regexp_replace` back-references `\\1` become Java's `$1`;
- `t.* EXCLUDE (...)` is expanded from the named columns of the CTE `t` (Spark has no EXCLUDE);
- `AS MATERIALIZED` hints are dropped.
Anything SQLGlot cannot express in Spark raises instead of being dropped silently.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

__all__ = ["to_spark"]


def _spark(text: str) -> exp.Expression:
    parsed = sqlglot.parse_one(text, read="spark")
    assert isinstance(parsed, exp.Expression)
    return parsed


def _sql(node: exp.Expression) -> str:
    return node.sql("spark", unsupported_level=ErrorLevel.RAISE)


def _null_ranked_ordering(ordering: exp.Expression) -> exp.Expression:
    """A struct ordering whose NULL fields rank above every value, as DuckDB ranks them."""
    if not isinstance(ordering, exp.Struct):
        return ordering
    fields = []
    for number, field in enumerate(ordering.expressions):
        value = field.expression if isinstance(field, exp.PropertyEQ | exp.Alias) else field
        fields.append(f"({_sql(value)}) IS NULL AS n{number}, {_sql(value)} AS v{number}")
    return _spark(f"struct({', '.join(fields)})")


def _arg_extreme(node: exp.Expression, largest: bool, where: exp.Expression | None) -> exp.Expression:
    """Spark for DuckDB's arg_max/arg_min (NULL values skipped), optionally the top n as a list."""
    value, ordering = node.this, node.expression
    count = node.args.get("count")
    ordering = _null_ranked_ordering(ordering)
    filtered = f" FILTER (WHERE {_sql(where)})" if where is not None else ""
    if count is not None:
        entry = (
            f"CASE WHEN ({_sql(value)}) IS NOT NULL THEN named_struct('k', {_sql(ordering)}, 'v', {_sql(value)}) END"
        )
        collected = f"collect_list({entry}){filtered}"
        ascending = "false" if largest else "true"
        return _spark(f"slice(transform(sort_array({collected}, {ascending}), e -> e.v), 1, {_sql(count)})")
    function = "max_by" if largest else "min_by"
    skip_null = f"CASE WHEN ({_sql(value)}) IS NOT NULL THEN {_sql(ordering)} END"
    return _spark(f"{function}({_sql(value)}, {skip_null}){filtered}")


def _aggregates(node: exp.Expression) -> exp.Expression:
    where = None
    target = node
    if isinstance(node, exp.Filter):
        target = node.this
        where = node.expression.this if isinstance(node.expression, exp.Where) else node.expression
    if isinstance(target, exp.ArgMax | exp.ArgMin):
        return _arg_extreme(target, isinstance(target, exp.ArgMax), where)
    if isinstance(target, exp.Anonymous) and target.name.lower() in ("arg_max_null", "arg_min_null"):
        value, ordering = target.expressions
        function = "max_by" if target.name.lower() == "arg_max_null" else "min_by"
        filtered = f" FILTER (WHERE {_sql(where)})" if where is not None else ""
        return _spark(f"{function}({_sql(value)}, {_sql(_null_ranked_ordering(ordering))}){filtered}")
    return node


def _functions(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.ToDays):
        return _spark(f"make_dt_interval({_sql(node.this)})")
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_months":
        (amount,) = node.expressions
        return _spark(f"make_ym_interval(0, {_sql(amount)})")
    if isinstance(node, exp.Literal) and not node.is_string and re.search(r"[.eE]", node.this):
        return exp.Cast(this=node.copy(), to=exp.DataType.build("DOUBLE"))
    if isinstance(node, exp.RegexpReplace):
        replacement = node.args.get("replacement")
        if isinstance(replacement, exp.Literal) and replacement.is_string:
            java = re.sub(r"\\(\d)", r"$\1", replacement.this.replace("$", "\\$"))
            node.set("replacement", exp.Literal.string(java))
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)
    return node


def _expand_excluded_stars(tree: exp.Expression) -> None:
    """Replace `alias.* EXCLUDE (...)` by the named columns of the CTE the alias reads."""
    ctes = {cte.alias_or_name: cte.this for cte in tree.find_all(exp.CTE)}
    for select in list(tree.find_all(exp.Select)):
        tables = {source.alias_or_name: source.name for source in select.find_all(exp.Table)}
        expanded: list[exp.Expression] = []
        changed = False
        for projection in select.expressions:
            star = projection.this if isinstance(projection, exp.Column) else None
            excluded = (star.args.get("except_") or star.args.get("except")) if isinstance(star, exp.Star) else None
            if not excluded:
                expanded.append(projection)
                continue
            alias = projection.table
            definition = ctes.get(tables.get(alias, alias))
            if not isinstance(definition, exp.Select) or definition.is_star:
                raise ValueError(f"cannot expand {alias}.* EXCLUDE: its CTE has no named columns")
            dropped = {column.name for column in excluded}
            expanded += [exp.column(name, table=alias) for name in definition.named_selects if name not in dropped]
            changed = True
        if changed:
            select.set("expressions", expanded)


def to_spark(duckdb_sql: str) -> str:
    """Spark SQL with the meaning of a DuckDB query (see the module docstring for what is rewritten)."""
    tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    assert isinstance(tree, exp.Expression)
    _expand_excluded_stars(tree)
    tree = tree.transform(_aggregates)
    tree = tree.transform(_functions)
    return _sql(tree)
