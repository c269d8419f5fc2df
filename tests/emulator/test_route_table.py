"""The middleware's route table (404/405 before anything else, A9) finds the first route in
table order, as FastAPI does, also through its index by path section."""

from __future__ import annotations

from monite_emulator.http.route_table import RouteTable


def _table() -> RouteTable:
    table = RouteTable()
    table.add("/v1/items", ["GET"], {"GET": ("list",)})
    table.add("/{anything}/items/{id}", ["DELETE"], {"DELETE": ("wild_delete",)})  # a parameter up front
    table.add("/v1/items/{id}", ["GET", "DELETE"], {"GET": ("get",), "DELETE": ("delete",)})
    table.add("/v1", ["GET"], {"GET": ("root",)})
    return table


def test_the_first_route_in_table_order_wins_across_sections() -> None:
    table = _table()
    assert table.match("GET", "/v1/items").operation_ids("GET") == ("list",)
    assert table.match("GET", "/v1/items/7").operation_ids("GET") == ("get",)
    assert table.match("GET", "/v1/items/7").params == {"id": "7"}
    assert table.match("DELETE", "/v1/items/7").operation_ids("DELETE") == ("wild_delete",)  # added before
    assert table.match("DELETE", "/v2/items/7").params == {"anything": "v2", "id": "7"}
    assert table.match("GET", "/v1").operation_ids("GET") == ("root",)
    assert table.match("HEAD", "/v1/items").route is not None  # GET implies HEAD


def test_no_route_is_a_404_and_a_wrong_method_a_405_with_every_allowed_method() -> None:
    table = _table()
    assert table.match("GET", "/v1/nothing").route is None and table.match("GET", "/v1/nothing").allow == ()
    assert table.match("GET", "/v1/items/7/more").allow == ()
    assert table.match("POST", "/v1/items/7").allow == ("DELETE", "GET", "HEAD")
    assert table.match("PUT", "/v2/items/7").allow == ("DELETE",)


def test_routes_removed_in_place_are_no_longer_found() -> None:
    """tests/deployments/sandbox.py hides the control plane by editing the list in place."""
    table = _table()
    assert table.match("GET", "/v1/items/7").route is not None
    table.routes[:] = [route for route in table.routes if route.template != "/v1/items/{id}"]
    assert table.match("GET", "/v1/items/7").allow == ("DELETE",)  # only the wildcard route is left
    assert table.match("DELETE", "/v1/items/7").operation_ids("DELETE") == ("wild_delete",)
