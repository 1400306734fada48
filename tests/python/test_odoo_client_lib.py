"""odoo-client-lib against the odoo-sandbox binary: JSON-RPC on 18 and
JSON-2 on 19, with the calls a customer connector makes."""

from urllib.parse import urlparse

import odoolib
import pytest
from odoolib.tools import AuthenticationError


def connect(ready, protocol):
    address = urlparse(ready["base_url"])
    return odoolib.get_connection(
        hostname=address.hostname,
        port=address.port,
        protocol=protocol,
        database=ready["database"],
        login=ready["login"],
        password=ready["api_key"],
    )


def partner_round_trip(connection):
    partners = connection.get_model("res.partner")
    countries = connection.get_model("res.country")
    belgium = countries.search([["code", "=", "BE"]])[0]

    company_id = partners.create(
        {
            "name": "Client Lib Co",
            "is_company": True,
            "email": "Office@ClientLib.Example",
            "country_id": belgium,
            "city": "Ghent",
            "child_ids": [
                [0, 0, {"name": "Ann Buyer", "email": "ann@clientlib.example"}],
                [0, 0, {"name": "Billing", "type": "invoice", "city": "Antwerp"}],
            ],
        }
    )
    if isinstance(company_id, list):
        company_id = company_id[0]

    found = partners.search_read(
        [["email_normalized", "=", "office@clientlib.example"]],
        ["name", "child_ids", "country_id"],
    )
    assert [row["id"] for row in found] == [company_id]
    assert found[0]["country_id"] == [belgium, "Belgium"]
    assert len(found[0]["child_ids"]) == 2

    assert partners.write([company_id], {"phone": "+32 9 000 00 00", "city": "Bruges"}) is True

    company = partners.read([company_id], ["phone", "city", "display_name"])
    if isinstance(company, list):
        company = company[0]
    assert company["phone"] == "+32 9 000 00 00"
    assert company["city"] == "Bruges"

    contacts = partners.search_read(
        [["parent_id", "=", company_id], ["type", "=", "contact"]], ["display_name", "city"]
    )
    assert contacts == [{"id": contacts[0]["id"], "display_name": "Client Lib Co, Ann Buyer", "city": "Bruges"}]


def test_jsonrpc_on_18(start_sandbox):
    ready = start_sandbox("odoo-sandbox", "--port", "0", "--odoo-version", "18", "--partners", "10")
    connection = connect(ready, "jsonrpc")

    connection.check_login()

    assert connection.user_id == 2
    partner_round_trip(connection)


def test_jsonrpc_wrong_key(start_sandbox):
    ready = start_sandbox("odoo-sandbox", "--port", "0", "--odoo-version", "17")
    connection = connect(dict(ready, api_key="0" * 40), "jsonrpc")

    with pytest.raises(AuthenticationError):
        connection.check_login()


def test_json2_on_19(start_sandbox):
    ready = start_sandbox("odoo-sandbox", "--port", "0", "--odoo-version", "19", "--partners", "10")
    connection = connect(ready, "json2")

    assert connection.check_login() is True
    assert connection.get_user_context()["uid"] == 2
    partner_round_trip(connection)
