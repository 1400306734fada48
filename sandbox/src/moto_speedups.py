"""Make moto's DynamoDB request path faster without changing any result.

The moto launcher (`moto_launcher.py`, which `moto.rs` appends to this file) runs
DynamoDB requests one at a time, so moto's CPU time per request limits the benchmark.
The DynamoDB requests of a 10,000-customer bulk pull of `make bench` were recorded and
replayed one at a time. They took moto 5.2.5 11.5 to 14.7 s of CPU before these
changes (four runs) and 4.6 to 8.4 s after them (ten runs), on a 2-core Xeon with
Python 3.11 whose speed varied between runs.
"""

import json
import re

from moto import backends
from moto.core.responses import BaseResponse
from moto.dynamodb import responses
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.utilities import bytesize
from werkzeug.serving import WSGIRequestHandler

# The item size limit of LimitedSizeDict.__setitem__ in moto 5.2.5. Moto's comment
# there states that DynamoDB accepts between 409 and 410 KB in practice.
MAX_ITEM_SIZE = 405000

# The operations whose input has binary members only inside attribute values.
ITEM_OPERATIONS = frozenset({
    "BatchGetItem", "BatchWriteItem", "DeleteItem", "GetItem", "PutItem", "Query",
    "Scan", "TransactGetItems", "TransactWriteItems", "UpdateItem",
})

# A member named "B" or "BS" anywhere in a body. A match inside a string value only
# costs that request the slower parser.
BINARY_MEMBER = re.compile(rb'"BS?"\s*:')

# Parsed conditions kept before the cache starts over.
MAX_PARSED_CONDITIONS = 1024


def speed_up_requests():
    """Remove moto's repeated work from the request path.

    - An item's size is summed once per item. Moto re-sums the whole item for each
      attribute it adds, which makes writing an item quadratic in its attribute count.
    - The body of an item operation is decoded with `json.loads` when it contains no
      binary attribute value ("B" or "BS"). Moto's model-driven parser converts only
      those members (from base64) in these operations, so both give the same
      parameters. A body that may hold one still goes through the parser.
    - The request handlers parse each distinct condition once. TransactWriteItems
      validates the condition of every action, and a transaction of new links repeats
      one condition up to 100 times.
    - The list of moto's service modules, read from disk for every request, is read
      once.
    - Connections stay open between requests (HTTP/1.1 keep-alive), so a request does
      not cost a new connection and a new thread.
    """
    Item.__init__ = init_item_sized_once
    responses.DynamoHandler.parse_parameters = parse_item_parameters_as_json
    responses.create_condition_expression_parser = create_cached_condition_parser

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules

    WSGIRequestHandler.protocol_version = "HTTP/1.1"


def init_item_sized_once(self, hash_key, range_key, attrs):
    """Replace Item.__init__ and raise ItemSizeTooLarge on the same items."""
    self.hash_key = hash_key
    self.range_key = range_key

    size = sum(bytesize(key) + attribute_size(value) for key, value in attrs.items())
    if size > MAX_ITEM_SIZE:
        raise ItemSizeTooLarge

    self.attrs = LimitedSizeDict()
    dict.update(self.attrs, {key: DynamoType(value) for key, value in attrs.items()})


def attribute_size(value):
    """Return DynamoType(value).size() without building the DynamoType tree."""
    if not isinstance(value, dict) or len(value) != 1:
        return DynamoType(value).size()

    (kind, inner), = value.items()
    if kind == "N":
        return len(str(inner))
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_size({kind[0]: member}) for member in inner)
    if kind == "L":
        return sum(attribute_size(member) for member in inner)
    if kind == "M":
        return sum(bytesize(key) + attribute_size(member) for key, member in inner.items())
    if isinstance(inner, bool):
        return 1
    return bytesize(inner)


def parse_item_parameters_as_json(self, request):
    """Replace DynamoHandler.parse_parameters for bodies without binary values."""
    body = request.get_data()
    if self._get_action() in ITEM_OPERATIONS and not BINARY_MEMBER.search(body):
        self.params = json.loads(body)
    else:
        BaseResponse.parse_parameters(self, request)


def condition_key(expression, names, values):
    return json.dumps([expression, names, values], sort_keys=True)


class ParsedCondition:
    """A condition parser whose parse already ran, with the members that the request
    handlers read from a parser."""

    def __init__(self, parser, tree):
        self.tree = tree
        self.names_found = tuple(parser.expr_attr_names_found)
        self.values_found = tuple(parser.expr_attr_values_found)

    def parse(self):
        return self.tree

    # New lists each time, because the handlers append to them.

    @property
    def expr_attr_names_found(self):
        return list(self.names_found)

    @property
    def expr_attr_values_found(self):
        return list(self.values_found)


PARSED_CONDITIONS = {}


def create_cached_condition_parser(expression, names, values):
    """Replace the handlers' create_condition_expression_parser."""
    key = condition_key(expression, names, values)
    if key in PARSED_CONDITIONS:
        return PARSED_CONDITIONS[key]

    parser = ConditionExpressionParser(expression, names, values)
    parse = parser.parse

    def parse_and_keep():
        # Only a successful parse is kept, so an invalid condition still raises on
        # every request.
        tree = parse()
        if len(PARSED_CONDITIONS) >= MAX_PARSED_CONDITIONS:
            PARSED_CONDITIONS.clear()
        PARSED_CONDITIONS[key] = ParsedCondition(parser, tree)
        return tree

    parser.parse = parse_and_keep
    return parser
