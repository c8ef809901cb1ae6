from bench.forms import card_form_values, find_form, find_link, parse_forms, with_value

EVENT_PAGE = """
<form method="get" action="/events/"><input name="q"></form>
<form method="post" action="/event/jazz/book/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <label>Tickets <input type="number" name="quantity" value="2"></label>
  <select name="day"><option value="2030-01-01">1 Jan</option>
    <option value="2030-01-02" selected>2 Jan</option></select>
  <input type="checkbox" name="terms" value="yes">
  <button type="submit">Book</button>
</form>
"""

CHECKOUT = """
<form method="post" action="/booking/ABC/pay/">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok2">
  <input name="card_number"><input name="exp_month"><input name="exp_year">
  <input name="cvc"><input name="cardholder_name">
</form>
<a href="/booking/ABC/">Booking</a> <a href="/booking/ABC/ticket/">Ticket</a>
"""


def test_forms_are_found_by_action_and_keep_what_a_browser_would_send():
    form = find_form(EVENT_PAGE, action_contains="/book/")
    assert form.action == "/event/jazz/book/"
    assert form.method == "post"
    # The unchecked checkbox and the button are not submitted; the selected option is.
    assert form.values() == [
        ("csrfmiddlewaretoken", "tok"), ("quantity", "2"), ("day", "2030-01-02"),
    ]  # fmt: skip


def test_a_page_without_the_form_gives_none():
    assert find_form("<p>Sold out</p>", action_contains="/book/") is None
    assert find_form(EVENT_PAGE, field_like=("card",)) is None


def test_a_select_without_a_selected_option_submits_its_first_option():
    (form,) = parse_forms('<form method="post"><select name="d"><option>a</option>'
                          '<option>b</option></select></form>')  # fmt: skip
    assert form.values() == [("d", "a")]


def test_with_value_replaces_matching_fields():
    pairs = [("quantity", "2"), ("csrfmiddlewaretoken", "t")]
    assert with_value(pairs, "quantity", "1") == [("quantity", "1"), ("csrfmiddlewaretoken", "t")]


def test_the_checkout_form_is_filled_with_the_succeeding_test_card():
    form = find_form(CHECKOUT, field_like=("card",))
    values = dict(card_form_values(form, year=2030))
    assert values == {
        "csrfmiddlewaretoken": "tok2",
        "card_number": "4242424242424242",
        "exp_month": "12",
        "exp_year": "2032",
        "cvc": "123",
        "cardholder_name": "Bench User",
    }


def test_a_single_expiry_field_gets_month_and_two_digit_year():
    (form,) = parse_forms('<form method="post"><input name="number"><input name="expiry">'
                          "</form>")  # fmt: skip
    assert dict(card_form_values(form, year=2030))["expiry"] == "12/32"


def test_links_are_found_by_part_of_their_address():
    assert find_link(CHECKOUT, "ticket") == "/booking/ABC/ticket/"
    assert find_link(CHECKOUT, "nothing") is None
