"""The HTTP gateway against the real server: OAuth2 client credentials, plain http refused
off this machine, a missing CA bundle named."""
from __future__ import annotations

import pytest

from app.errors import SyncError
from sync.gateway import GatewayOptions, HttpGateway, check_url
from tests.fhir_server import CLIENT_ID, CLIENT_SECRET


def test_client_credentials_are_exchanged_at_the_discovered_token_endpoint(fhir_server):
    options = GatewayOptions(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, timeout=10)
    with HttpGateway(fhir_server.url, options) as gateway:
        page = gateway.search("Patient?_count=1")
    assert page["resourceType"] == "Bundle"


def test_a_wrong_client_secret_is_an_auth_error_naming_the_client(fhir_server):
    options = GatewayOptions(client_id=CLIENT_ID, client_secret="wrong", timeout=10)
    with HttpGateway(fhir_server.url, options) as gateway, pytest.raises(SyncError) as caught:
        gateway.search("Patient?_count=1")
    assert caught.value.kind == "auth" and CLIENT_ID in str(caught.value)


def test_without_credentials_the_server_answers_401_as_an_auth_error(fhir_server):
    with HttpGateway(fhir_server.url, GatewayOptions(timeout=10)) as gateway, \
            pytest.raises(SyncError) as caught:
        gateway.search("Patient?_count=1")
    assert caught.value.kind == "auth" and "401" in str(caught.value)


@pytest.mark.parametrize("url", ["http://fhir.example.org/r4", "fhir.example.org", "ftp://x/y"])
def test_a_server_address_that_is_not_https_off_this_machine_is_refused(url):
    with pytest.raises(SyncError) as caught:
        check_url(url)
    assert caught.value.kind == "config"


def test_plain_http_to_this_machine_and_https_anywhere_are_accepted():
    assert check_url("http://127.0.0.1:8080/fhir/") == "http://127.0.0.1:8080/fhir"
    assert check_url("https://fhir.example.org/r4") == "https://fhir.example.org/r4"


def test_a_ca_bundle_that_does_not_exist_is_named(tmp_path):
    missing = tmp_path / "clinic-ca.pem"
    with pytest.raises(SyncError, match="clinic-ca.pem"):
        HttpGateway("https://fhir.example.org/r4", GatewayOptions(ca_bundle=str(missing)))
