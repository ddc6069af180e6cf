"""Reading the checkout form: one clear message per field a shopper must fix."""

from __future__ import annotations

from ecomm.roles.web.checkout import new_order_id, order_id_from, read_customer


def test_a_good_form_gives_a_customer() -> None:
    form = read_customer({"name": "  Ada   Lovelace ", "email": " ada@example.com "})
    assert form.errors == {}
    customer = form.customer()
    assert customer is not None
    assert (customer.name, customer.email) == ("Ada Lovelace", "ada@example.com")


def test_each_bad_field_gets_its_own_message() -> None:
    form = read_customer({"name": "", "email": "ada@"})
    assert form.errors == {
        "name": "Please enter your name.",
        "email": "Please enter a valid email address, like name@example.com.",
    }
    assert form.customer() is None
    assert read_customer({"name": "x" * 201, "email": ""}).errors == {
        "name": "Please shorten your name to 200 characters.",
        "email": "Please enter your email address.",
    }


def test_the_order_id_is_kept_from_the_form_only_when_it_is_one_of_ours() -> None:
    mine = new_order_id()
    assert order_id_from({"order_id": mine}) == mine
    for sent in ["", "../../etc", "A" * 32, "a" * 32 + "\n"]:
        fresh = order_id_from({"order_id": sent})
        assert fresh != sent
        assert len(fresh) == 32
