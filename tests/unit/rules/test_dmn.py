"""DMN import: the project's own DMN files, refusals with element and line, hardening."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from liucheng.errors import ModelError
from liucheng.rules import dmn
from liucheng.rules.decision import analyse, evaluate
from liucheng.rules.dmn import read_dmn, read_dmn_file

DATA = Path(__file__).parent / "data"
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def wrap(body: str, ns: str = DMN13) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{ns}" id="d" '
            f'name="d" namespace="https://liucheng.example/dmn">\n{body}\n</definitions>\n')


def test_late_interest_dmn_13() -> None:
    doc = read_dmn_file(DATA / "late_interest.dmn")
    assert doc.version == "1.3" and doc.unsupported == ()
    table = doc.table("late_interest")
    assert table.name.zh == "逾期利息" and table.hit_policy == "UNIQUE"
    assert [i.id for i in table.inputs] == ["days_late"] and table.inputs[0].type == "integer"
    assert table.inputs[0].label is not None and table.inputs[0].label.en == "Days late"
    assert [o.id for o in table.outputs] == ["late_charge_months"]
    assert [r.id for r in table.rules] == ["on_time", "within_week", "over_week"]
    assert table.rules[1].annotation == "up to one week late: half a month"
    assert table.rules[1].line is not None and table.rules[1].line > 10
    for days, months, rule in [(0, "0", "on_time"), (1, "0.5", "within_week"),
                               (7, "0.5", "within_week"), (8, "1", "over_week")]:
        result = evaluate(table, {"days_late": days})
        assert result.outputs == {"late_charge_months": Decimal(months)}
        assert result.rule_ids == (rule,)
    assert analyse(table).problems() == [] and analyse(table).gaps == ()


def test_fees_dmn_12_collect_sum() -> None:
    doc = read_dmn_file(DATA / "mortgage_fees.dmn")
    table = doc.table("mortgage_fees")
    assert doc.version == "1.2" and (table.hit_policy, table.aggregation) == ("COLLECT", "SUM")
    assert table.rules[0].annotation == "抵押登记费"
    both = {"mortgage_registration": True, "notarised_entrustment": True}
    assert evaluate(table, both).outputs == {"fee_yuan": Decimal(440)}
    assert evaluate(table, both | {"mortgage_registration": False}).outputs == {
        "fee_yuan": Decimal(360)}


def test_credit_bands_dmn_11_priority() -> None:
    doc = read_dmn_file(DATA / "vehicle_credit_bands.dmn")
    table = doc.table("credit_band")
    assert doc.version == "1.1" and table.hit_policy == "PRIORITY"
    assert table.outputs[0].values == ("reject", "supplement", "pass")
    assert table.inputs[0].values is not None
    cases = [(549, True, "reject"), (550, True, "supplement"), (649, True, "supplement"),
             (650, True, "pass"), (800, False, "supplement")]
    for score, guarantor, expected in cases:
        result = evaluate(table, {"credit_score": score, "has_guarantor": guarantor})
        assert result.outputs == {"result": expected}, score
    assert analyse(table).gaps == ()


def test_unknown_decision_id() -> None:
    doc = read_dmn_file(DATA / "late_interest.dmn")
    with pytest.raises(ModelError, match="no decision table 'fees'.*late_interest"):
        doc.table("fees")


def test_unsupported_elements_are_reported_with_id_and_line() -> None:
    with pytest.raises(ModelError) as err:
        read_dmn_file(DATA / "unsupported.dmn")
    found = [(p.element, p.line) for p in err.value.problems]
    assert found == [("discount", 5), ("fee_bkm", 9), ("total", 12)]
    messages = [p.message for p in err.value.problems]
    assert "literalExpression" in messages[0] and "business knowledge" in messages[1]
    assert "depend on other decisions" in messages[2]
    assert all(p.source and p.source.endswith("unsupported.dmn") for p in err.value.problems)


def test_lenient_import_keeps_the_supported_tables() -> None:
    doc = read_dmn_file(DATA / "unsupported.dmn", strict=False)
    assert [t.id for t in doc.tables] == ["category"] and len(doc.unsupported) == 3
    table = doc.table("category")
    assert evaluate(table, {"category": "Travel Expenses"}).outputs == {"group": "sales"}
    assert evaluate(table, {"category": "Misc"}).outputs == {"group": "accounting"}


def test_bad_entry_names_decision_rule_column_and_line() -> None:
    with pytest.raises(ModelError) as err:
        read_dmn_file(DATA / "bad_entry.dmn")
    problem = err.value.problems[0]
    assert (problem.element, problem.line) == ("bad_table", 9)
    assert "rule 2, column 'a': input entry '[1..'" in problem.message


def test_output_entries_literals_expressions_and_defaults() -> None:
    xml = wrap("""
  <decision id="charge" name="Charge">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="in_x" label="Amount">
        <inputExpression><text>loan.amount</text></inputExpression>
      </input>
      <input id="in_y"><inputExpression><text>loan.amount * 2</text></inputExpression></input>
      <output id="o1" name="rate" typeRef="number" />
      <output id="o2" name="note" typeRef="string">
        <defaultOutputEntry><text>"none"</text></defaultOutputEntry>
      </output>
      <output id="o3" name="flag" typeRef="boolean" />
      <output id="o4" name="fee" />
      <rule id="r1">
        <inputEntry><text>&gt;= 1000</text></inputEntry><inputEntry><text></text></inputEntry>
        <outputEntry><text>0.05</text></outputEntry><outputEntry><text>"big"</text></outputEntry>
        <outputEntry><text>true</text></outputEntry>
        <outputEntry><text>loan.amount * 0.01</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>""")
    table = read_dmn(xml).table("charge")
    assert [i.id for i in table.inputs] == ["loan.amount", "in_y"]
    result = evaluate(table, {"loan": {"amount": 2000}})
    assert dict(result.outputs) == {"rate": Decimal("0.05"), "note": "big", "flag": True,
                                    "fee": Decimal("20.00")}
    none = evaluate(table, {"loan": {"amount": 10}})
    assert dict(none.outputs) == {"rate": None, "note": "none", "flag": None, "fee": None}


def test_output_value_conventions() -> None:
    assert dmn.output_value('"approved"') == "approved"
    assert dmn.output_value("7") == 7 and dmn.output_value("null") is None
    assert dmn.output_value("") is None
    assert dmn.output_value("amount * 2") == "=amount * 2"
    assert dmn.output_value('"=x"') == '="=x"'  # a text starting with '=' stays a text


@pytest.mark.parametrize("ns", list(dmn.NAMESPACES))
def test_every_dmn_namespace(ns: str) -> None:
    xml = wrap("""<decision id="x"><decisionTable id="t">
      <input id="i"><inputExpression><text>a</text></inputExpression></input>
      <output id="o" name="b" /><rule id="r"><inputEntry><text>1</text></inputEntry>
      <outputEntry><text>2</text></outputEntry></rule></decisionTable></decision>""", ns)
    doc = read_dmn(xml, "x.dmn")
    assert doc.version == dmn.NAMESPACES[ns]
    assert evaluate(doc.table("x"), {"a": 1}).outputs == {"b": 2}


def test_hit_policy_errors_carry_the_table_line() -> None:
    xml = wrap("""<decision id="x"><decisionTable id="t" hitPolicy="SOMETIMES">
      <input id="i"><inputExpression><text>a</text></inputExpression></input>
      <output id="o" name="b" /><rule id="r"><inputEntry><text>1</text></inputEntry>
      <outputEntry><text>2</text></outputEntry></rule></decisionTable></decision>""")
    with pytest.raises(ModelError) as err:
        read_dmn(xml, "x.dmn")
    assert (err.value.problems[0].element, err.value.problems[0].line) == ("x", 3)


def test_a_bpmn_file_from_the_corpus_is_refused() -> None:
    path = CORPUS / "bpmn" / "bpmn-miwg-test-suite" / "C.8.0.bpmn"  # carries dmn: elements
    if not path.exists():
        pytest.skip(f"corpus file {path} is not available")
    with pytest.raises(ModelError) as err:
        read_dmn_file(path)
    problem = err.value.problems[0]
    assert "not DMN <definitions>" in problem.message and problem.line == 2


def test_dmn_files_in_the_corpus_import() -> None:
    files = sorted(CORPUS.rglob("*.dmn")) if CORPUS.exists() else []
    if not files:
        pytest.skip("the corpus has no .dmn files")
    for path in files:
        doc = read_dmn_file(path, strict=False)
        assert doc.tables or doc.unsupported, path


# -- hardening ---------------------------------------------------------------------------------
def test_doctype_and_entities_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    doctype = ('<?xml version="1.0"?>\n'
               f'<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file://{secret}">]>\n')
    in_text = f'{doctype}<definitions xmlns="{DMN13}"><decision>&xxe;</decision></definitions>'
    with pytest.raises(ModelError) as err:
        read_dmn(in_text)
    assert "DOCTYPE" in err.value.problems[0].message
    assert "TOP SECRET" not in str(err.value)
    in_attribute = f'{doctype}<definitions xmlns="{DMN13}"><decision id="&xxe;"/></definitions>'
    with pytest.raises(ModelError) as err:
        read_dmn(in_attribute)
    assert "TOP SECRET" not in str(err.value)


def test_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY a "ha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    xml = (f'<?xml version="1.0"?>\n<!DOCTYPE definitions [{entities}]>\n'
           "<definitions>&i;</definitions>")
    with pytest.raises(ModelError):
        read_dmn(xml)


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(ModelError) as err:
        read_dmn(wrap("<decision id='x'>\n<decisionTable>\n</decision>"), "broken.dmn")
    problem = err.value.problems[0]
    assert problem.line == 5 and problem.source == "broken.dmn"
    assert "not well-formed" in problem.message


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dmn, "MAX_BYTES", 100)
    with pytest.raises(ModelError, match="larger than 100 bytes"):
        read_dmn(wrap("<decision id='x'/>" * 10))


def test_not_dmn_at_all() -> None:
    with pytest.raises(ModelError, match="not DMN"):
        read_dmn('<definitions xmlns="http://example.com/other"/>')
    with pytest.raises(ModelError, match="without a decision table"):
        read_dmn(wrap('<decision id="empty" />'))
