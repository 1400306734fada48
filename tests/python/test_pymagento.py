"""Drive the magento-sandbox binary with pymagento, a third-party Magento client."""

import pytest
import requests
from magento import Magento, make_field_value_query

ADMIN_PASSWORD = "Admin#Pytest1"
CUSTOMERS = 45


@pytest.fixture
def magento(start_sandbox):
    """A pymagento client with an admin token on a sandbox seeded with 45 customers."""
    ready = start_sandbox(
        "magento-sandbox", "--customers", str(CUSTOMERS), "--seed", "7", "--admin-password", ADMIN_PASSWORD
    )
    response = requests.post(
        f"{ready['base_url']}/rest/V1/integration/admin/token",
        json={"username": ready["admin_username"], "password": ADMIN_PASSWORD},
        timeout=10,
    )
    response.raise_for_status()

    # "default" keeps pymagento off the `all` store code, where Magento rejects GET.
    return Magento(token=response.json(), base_url=ready["base_url"], scope="default")


def test_ready_line_shape(start_sandbox):
    ready = start_sandbox("magento-sandbox")

    assert ready["base_url"].startswith("http://127.0.0.1:")
    assert ready["admin_username"] == "admin"
    assert set(ready["integration"]) == {"consumer_key", "consumer_secret", "access_token", "access_token_secret"}


def test_search_pages_all(magento):
    customers = list(magento.get_customers(page_size=20))

    ids = [customer["id"] for customer in customers]
    assert ids == list(range(1, CUSTOMERS + 1))


def test_keyset_total_counts_filter(magento):
    # total_count covers the filtered set, so a keyset loop must stop on a short
    # page. pymagento's own id_pagination stops on total_count and misses rows.
    query = make_field_value_query("entity_id", 40, "gt", page_size=300)

    page = magento.get_json_api("/V1/customers/search", query)

    assert [customer["id"] for customer in page["items"]] == [41, 42, 43, 44, 45]
    assert page["total_count"] == 5


def test_search_by_email(magento):
    target = magento.get_customer(12)

    found = list(magento.get_customers(query=make_field_value_query("email", target["email"].upper())))

    assert [customer["id"] for customer in found] == [12]


def test_get_customer(magento):
    customer = magento.get_customer(5)

    assert customer["id"] == 5
    assert customer["website_id"] == 2
    assert customer["extension_attributes"] == {"is_subscribed": customer["extension_attributes"]["is_subscribed"]}


def test_create_and_update(magento):
    created = magento.post_json_api(
        "/V1/customers",
        json={"customer": {"email": "py@example.com", "firstname": "Zoë", "lastname": "Łukasz"}},
    )
    created["firstname"] = "Renée"

    updated = magento.put_json_api(f"/V1/customers/{created['id']}", json={"customer": created})

    assert created["id"] == CUSTOMERS + 1
    assert updated["firstname"] == "Renée"
    assert updated["created_at"] == created["created_at"]
    assert magento.get_customer(created["id"])["firstname"] == "Renée"


def test_duplicate_email_rejected(magento):
    existing = magento.get_customer(3)

    response = magento.post_api(
        "/V1/customers",
        json={"customer": {"email": existing["email"], "firstname": "A", "lastname": "B"}},
        throw=False,
    )

    assert response.status_code == 400
    assert response.json() == {
        "message": "A customer with the same email address already exists in an associated website."
    }
