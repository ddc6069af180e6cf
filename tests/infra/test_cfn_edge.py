"""infra/ecomm.yaml's edge, rendered for a deploy: CloudFront in front, the ALB behind it.

Rendered twice over: with the defaults (CloudFront's own address and certificate, HTTP to the
origin) and with an own domain (its certificate on CloudFront and, optionally, on the ALB).
What CloudFront and the ALB do with this configuration is theirs to do; infra/README.md says
what is left to check on AWS.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request

from ecomm.core.runtime.http import REQUEST_ID_HEADER
from ecomm.roles.web.rate_limit import client_address
from tests.infra.cfn import Renderer, container_env, resources_of_type, token

DISTRIBUTION_DOMAIN = "d111111abcdef8.cloudfront.net"
PREFIX_LIST = "pl-0123456789abcdef0"
DOMAIN = "shop.example.com"
EDGE_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0000-edge"
REGIONAL_CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0000-alb"

# AWS-managed cache policies (the same ids in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"

# Who appends to X-Forwarded-For between the shopper and web: CloudFront (the shopper's address)
# and the load balancer (CloudFront's).
FORWARDING_PROXIES = ("CloudFront", "Application Load Balancer")

DEFAULTS: dict[str, str] = {"CloudFrontPrefixListId": PREFIX_LIST}
OWN_DOMAIN = DEFAULTS | {"DomainName": DOMAIN, "CloudFrontCertificateArn": EDGE_CERTIFICATE}
OWN_DOMAIN_HTTPS_ORIGIN = OWN_DOMAIN | {"CertificateArn": REGIONAL_CERTIFICATE}


class Deploy:
    """The template as CloudFormation would create it with `parameters`."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str]) -> None:
        self.renderer = Renderer(template, parameters, ref=lambda r: r, get_att=self._get_att)
        self.template = template
        self.resources = {
            name: self.renderer.resolve(resource.get("Properties", {}))
            for name, resource in template["Resources"].items()
            if "Condition" not in resource or self.renderer.condition(resource["Condition"])
        }
        self.outputs = {
            k: self.renderer.resolve(v["Value"]) for k, v in template["Outputs"].items()
        }

    @staticmethod
    def _get_att(logical: str, attribute: str) -> str:
        if (logical, attribute) == ("Distribution", "DomainName"):
            return DISTRIBUTION_DOMAIN
        return f"{logical}.{attribute}"

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {
            n: self.resources[n]
            for n in resources_of_type(self.template, kind)
            if n in self.resources
        }

    @property
    def distribution(self) -> dict[str, Any]:
        (config,) = [
            d["DistributionConfig"] for d in self.of_type("AWS::CloudFront::Distribution").values()
        ]
        return config

    @property
    def origin(self) -> dict[str, Any]:
        (origin,) = self.distribution["Origins"]
        return origin

    def rules_hold(self) -> bool:
        for rule in self.template["Rules"].values():
            if "RuleCondition" in rule and not self.renderer.resolve(rule["RuleCondition"]):
                continue
            if not all(self.renderer.resolve(a["Assert"]) for a in rule["Assertions"]):
                return False
        return True


@pytest.fixture
def default(template: dict[str, Any]) -> Deploy:
    return Deploy(template, DEFAULTS)


def test_shoppers_get_https_at_cloudfronts_address_without_a_domain(default: Deploy) -> None:
    assert default.distribution["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}
    assert "Aliases" not in default.distribution
    assert default.outputs["ShopUrl"] == f"https://{DISTRIBUTION_DOMAIN}"


@pytest.mark.parametrize("parameters", [DEFAULTS, OWN_DOMAIN, OWN_DOMAIN_HTTPS_ORIGIN])
def test_every_path_redirects_plain_http_to_https(
    template: dict[str, Any], parameters: dict[str, str]
) -> None:
    config = Deploy(template, parameters).distribution
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert {b["ViewerProtocolPolicy"] for b in behaviors} == {"redirect-to-https"}


def test_pages_are_never_cached_and_reach_web_with_what_it_reads(default: Deploy) -> None:
    pages = default.distribution["DefaultCacheBehavior"]
    assert pages["CachePolicyId"] == CACHING_DISABLED
    assert {"GET", "POST"} <= set(pages["AllowedMethods"])  # checkout and cart are forms
    policy = default.resources[token(pages["OriginRequestPolicyId"])]["OriginRequestPolicyConfig"]
    # Search filters and paging are query strings; the cart, CSRF token and order history are
    # cookies; the request id is echoed and logged.
    assert policy["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    assert policy["CookiesConfig"] == {"CookieBehavior": "all"}
    assert policy["HeadersConfig"] == {
        "HeaderBehavior": "whitelist",
        "Headers": [REQUEST_ID_HEADER],
    }


def test_static_files_are_cached_at_the_edge(default: Deploy) -> None:
    (static,) = default.distribution["CacheBehaviors"]
    assert static["PathPattern"] == "/static/*"
    assert static["CachePolicyId"] == CACHING_OPTIMIZED
    assert static["AllowedMethods"] == ["GET", "HEAD"]
    assert "OriginRequestPolicyId" not in static  # no cookies for files everyone shares


@pytest.mark.parametrize(
    ("parameters", "port"), [(DEFAULTS, 80), (OWN_DOMAIN, 80), (OWN_DOMAIN_HTTPS_ORIGIN, 443)]
)
def test_the_load_balancer_admits_cloudfront_alone_on_the_origin_port(
    template: dict[str, Any], parameters: dict[str, str], port: int
) -> None:
    deploy = Deploy(template, parameters)
    (rule,) = deploy.resources["AlbSecurityGroup"]["SecurityGroupIngress"]
    assert (rule["FromPort"], rule["ToPort"], rule["SourcePrefixListId"]) == (
        port,
        port,
        PREFIX_LIST,
    )
    assert not {"CidrIp", "CidrIpv6", "SourceSecurityGroupId"} & set(rule)
    protocol = "https-only" if port == 443 else "http-only"
    assert deploy.origin["CustomOriginConfig"]["OriginProtocolPolicy"] == protocol
    (listener,) = deploy.of_type("AWS::ElasticLoadBalancingV2::Listener").values()
    assert listener["Port"] == port


def test_the_listener_forwards_only_what_carries_the_distributions_secret_header(
    template: dict[str, Any], default: Deploy
) -> None:
    ((listener_name, listener),) = default.of_type("AWS::ElasticLoadBalancingV2::Listener").items()
    (refuse,) = listener["DefaultActions"]
    assert refuse["Type"] == "fixed-response"
    assert refuse["FixedResponseConfig"]["StatusCode"] == "403"
    (rule,) = default.of_type("AWS::ElasticLoadBalancingV2::ListenerRule").values()
    assert rule["ListenerArn"] == listener_name
    assert [(a["Type"], a["TargetGroupArn"]) for a in rule["Actions"]] == [
        ("forward", "WebTargetGroup")
    ]
    (condition,) = rule["Conditions"]
    (sent,) = default.origin["OriginCustomHeaders"]
    assert condition["Field"] == "http-header"
    assert condition["HttpHeaderConfig"]["HttpHeaderName"] == sent["HeaderName"]
    assert condition["HttpHeaderConfig"]["Values"] == [sent["HeaderValue"]]
    # Both read one generated secret; the listener compares it case-insensitively with * and ?
    # as wildcards, and takes at most 128 characters.
    reference = sent["HeaderValue"]
    assert reference.startswith("{{resolve:secretsmanager:")
    secret = template["Resources"][reference.removeprefix("{{resolve:secretsmanager:")[:-2]]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    generated = secret["Properties"]["GenerateSecretString"]
    assert generated["ExcludePunctuation"] is True
    assert 32 <= generated["PasswordLength"] <= 128


def test_web_sets_secure_cookies_and_finds_the_shopper_behind_both_proxies(
    default: Deploy,
) -> None:
    container = default.resources["WebTaskDefinition"]["ContainerDefinitions"][0]
    assert container["Name"] == "web"
    env = container_env(container)
    assert env["ECOMM_SECURE_COOKIES"] == "true"
    hops = int(env["ECOMM_TRUSTED_PROXY_HOPS"])
    assert hops == len(FORWARDING_PROXIES)
    # A shopper who sends their own X-Forwarded-For gets it kept on the left.
    forwarded = "203.0.113.66, 198.51.100.7, 130.176.0.10"  # spoofed, shopper, CloudFront
    request = make_mocked_request("GET", "/", headers={"X-Forwarded-For": forwarded})
    assert client_address(request, hops) == "198.51.100.7"


@pytest.mark.parametrize("parameters", [OWN_DOMAIN, OWN_DOMAIN_HTTPS_ORIGIN])
def test_an_own_domain_is_served_with_its_us_east_1_certificate(
    template: dict[str, Any], parameters: dict[str, str]
) -> None:
    deploy = Deploy(template, parameters)
    assert deploy.distribution["Aliases"] == [DOMAIN]
    assert deploy.distribution["ViewerCertificate"] == {
        "AcmCertificateArn": EDGE_CERTIFICATE,
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    assert deploy.outputs["ShopUrl"] == f"https://{DOMAIN}"


def test_an_https_origin_gets_the_alb_certificate_and_the_viewers_host(
    template: dict[str, Any],
) -> None:
    deploy = Deploy(template, OWN_DOMAIN_HTTPS_ORIGIN)
    (listener,) = deploy.of_type("AWS::ElasticLoadBalancingV2::Listener").values()
    assert (listener["Protocol"], listener["Certificates"]) == (
        "HTTPS",
        [{"CertificateArn": REGIONAL_CERTIFICATE}],
    )
    # CloudFront checks the origin's certificate against the Host it forwards: DOMAIN.
    (policy,) = deploy.of_type("AWS::CloudFront::OriginRequestPolicy").values()
    assert "Host" in policy["OriginRequestPolicyConfig"]["HeadersConfig"]["Headers"]
    assert deploy.origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]


@pytest.mark.parametrize(
    ("parameters", "accepted"),
    [
        (DEFAULTS, True),
        (OWN_DOMAIN, True),
        (OWN_DOMAIN_HTTPS_ORIGIN, True),
        (DEFAULTS | {"DomainName": DOMAIN}, False),
        (DEFAULTS | {"CloudFrontCertificateArn": EDGE_CERTIFICATE}, False),
        (DEFAULTS | {"CertificateArn": REGIONAL_CERTIFICATE}, False),
    ],
    ids=["defaults", "domain", "domain+alb", "domain-only", "edge-cert-only", "alb-cert-only"],
)
def test_a_domain_comes_with_its_certificates_or_the_deploy_is_refused(
    template: dict[str, Any], parameters: dict[str, str], accepted: bool
) -> None:
    assert Deploy(template, parameters).rules_hold() is accepted
