"""What findings are made of: well-known CVEs, CVSS vectors and the wording of made-up flaws."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KnownCve:
    """A real CVE and the packages it is reported against."""

    cve: str
    severity: str
    score: float
    vector: str
    packages: tuple[str, ...]  # package names it is reported against; "name@family" for one
    description: str
    exploit: bool = False


# The prefix of every CVSS v3.1 vector.
V3 = "CVSS:3.1/"
# Real, well-known vulnerabilities: they lead every pool they apply to.
KNOWN: tuple[KnownCve, ...] = (
    KnownCve("CVE-2023-38545", "CRITICAL", 9.8, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
             ("curl", "libcurl4", "libcurl"),
             "This flaw makes curl overflow a heap based buffer in the SOCKS5 proxy handshake.",
             True),
    KnownCve("CVE-2021-44228", "CRITICAL", 10.0, V3 + "AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
             ("org.apache.logging.log4j:log4j-core",),
             "Apache Log4j2 JNDI features used in configuration, log messages, and parameters "
             "do not protect against attacker controlled LDAP and other JNDI related endpoints.",
             True),
    KnownCve("CVE-2022-22965", "CRITICAL", 9.8, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
             ("org.springframework:spring-beans",),
             "A Spring MVC or Spring WebFlux application running on JDK 9+ may be vulnerable to "
             "remote code execution (RCE) via data binding.", True),
    KnownCve("CVE-2022-37434", "CRITICAL", 9.8, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
             ("zlib1g@ubuntu",),
             "zlib through 1.2.12 has a heap-based buffer over-read or buffer overflow in inflate "
             "in inflate.c via a large gzip header extra field."),
    KnownCve("CVE-2022-40674", "CRITICAL", 9.8, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
             ("libexpat1@ubuntu",),
             "libexpat before 2.4.9 has a use-after-free in the doContent function in "
             "xmlparse.c."),
    KnownCve("CVE-2023-37920", "CRITICAL", 9.8, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
             ("certifi",),
             "Certifi prior to version 2023.07.22 recognizes \"e-Tugra\" root certificates."),
    KnownCve("CVE-2023-4911", "HIGH", 7.8, V3 + "AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
             ("libc6",),
             "A buffer overflow was discovered in the GNU C Library's dynamic loader ld.so while "
             "processing the GLIBC_TUNABLES environment variable.", True),
    KnownCve("CVE-2024-6387", "HIGH", 8.1, V3 + "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
             ("openssh-client",),
             "A security regression (CVE-2006-5051) was discovered in OpenSSH's server (sshd): a "
             "race condition in the signal handler can lead to remote code execution.", True),
    KnownCve("CVE-2022-0778", "HIGH", 7.5, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
             ("libssl1.1",),
             "The BN_mod_sqrt() function, which computes a modular square root, contains a bug "
             "that can cause it to loop forever for non-prime moduli."),
    KnownCve("CVE-2023-44487", "HIGH", 7.5, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
             ("libnghttp2-14", "nghttp2-libs", "io.netty:netty-codec-http2", "golang.org/x/net"),
             "The HTTP/2 protocol allows a denial of service (server resource consumption) "
             "because request cancellation can reset many streams quickly.", True),
    KnownCve("CVE-2023-4863", "HIGH", 8.8, V3 + "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
             ("libwebp7", "pillow"),
             "Heap buffer overflow in libwebp allowed a remote attacker to perform an out of "
             "bounds memory write via a crafted HTML page.", True),
    KnownCve("CVE-2022-42003", "HIGH", 7.5, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
             ("com.fasterxml.jackson.core:jackson-databind",),
             "In FasterXML jackson-databind before 2.14.0-rc1, resource exhaustion can occur "
             "because of a lack of a check in primitive value deserializers."),
    KnownCve("CVE-2023-43804", "HIGH", 8.1, V3 + "AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N",
             ("urllib3",),
             "urllib3 doesn't treat the Cookie HTTP header special or provide any helpers for "
             "managing cookies over HTTP, leaking them on cross-origin redirects."),
    KnownCve("CVE-2022-24999", "HIGH", 7.5, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
             ("qs",),
             "qs before 6.10.3 allows attackers to cause a Node process hang through a crafted "
             "__proto__ key in a query string."),
    KnownCve("CVE-2023-5363", "HIGH", 7.5, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
             ("libssl3", "openssl", "libcrypto3"),
             "A bug has been identified in the processing of key and initialisation vector (IV) "
             "lengths that can lead to potential truncation or overruns during the "
             "initialisation of some symmetric ciphers."),
    KnownCve("CVE-2023-32681", "MEDIUM", 6.1, V3 + "AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
             ("requests",),
             "Requests leaks Proxy-Authorization headers to destination servers when redirected "
             "to an HTTPS endpoint."),
    KnownCve("CVE-2022-25883", "MEDIUM", 5.3, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
             ("semver",),
             "Versions of the package semver before 7.5.2 are vulnerable to Regular Expression "
             "Denial of Service (ReDoS) via the function new Range."),
    KnownCve("CVE-2023-2650", "MEDIUM", 6.5, V3 + "AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
             ("libssl3", "openssl", "libcrypto3"),
             "Processing some specially crafted ASN.1 object identifiers or data containing them "
             "may be very slow."),
    KnownCve("CVE-2022-0563", "MEDIUM", 5.5, V3 + "AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
             ("libuuid1",),
             "A flaw was found in the util-linux chfn and chsh utilities when compiled with "
             "Readline support."),
    KnownCve("CVE-2023-42363", "MEDIUM", 5.5, V3 + "AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H",
             ("busybox",),
             "A use-after-free vulnerability was discovered in xasprintf function in "
             "xfuncs_printf.c:344 in BusyBox v.1.36.1."),
    KnownCve("CVE-2011-3374", "LOW", 3.7, V3 + "AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N",
             ("apt",),
             "It was found that apt-key in apt, all versions, do not correctly validate gpg keys "
             "with the master keyring, leading to a potential man-in-the-middle attack."),
    KnownCve("CVE-2016-2781", "LOW", 6.5, V3 + "AV:L/AC:L/PR:N/UI:R/S:C/C:N/I:H/A:N",
             ("coreutils",),
             "chroot in GNU coreutils, when used with --userspec, allows local users to escape "
             "to the parent session via a crafted TIOCSTI ioctl call."),
)  # fmt: skip
KNOWN_IDS = frozenset(k.cve for k in KNOWN)

# CVSS v3.1 vectors with their base scores, by the severity they rate.
CVSS3: dict[str, tuple[tuple[str, float], ...]] = {
    "CRITICAL": (
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", 9.1),
        ("AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
    ),
    "HIGH": (
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
        ("AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
        ("AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8),
        ("AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1),
    ),
    "MEDIUM": (
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3),
        ("AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 5.5),
        ("AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", 6.5),
        ("AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", 5.9),
        ("AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
    ),
    "LOW": (
        ("AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 3.3),
        ("AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7),
        ("AV:L/AC:H/PR:L/UI:N/S:U/C:N/I:N/A:L", 2.5),
    ),
}
# CVSS v2 vectors (older CVEs) with their base scores.
CVSS2: dict[str, tuple[tuple[str, float], ...]] = {
    "CRITICAL": (("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0),),
    "HIGH": (("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5), ("AV:N/AC:M/Au:N/C:P/I:P/A:P", 6.8)),
    "MEDIUM": (
        ("AV:N/AC:M/Au:N/C:N/I:N/A:P", 4.3),
        ("AV:N/AC:L/Au:N/C:N/I:N/A:P", 5.0),
        ("AV:L/AC:L/Au:N/C:P/I:P/A:P", 4.6),
    ),
    "LOW": (("AV:L/AC:L/Au:N/C:P/I:N/A:N", 2.1), ("AV:L/AC:M/Au:N/C:N/I:N/A:P", 1.9)),
}

FLAWS = (
    "A heap-based buffer overflow in {p} allows a remote attacker to execute arbitrary code "
    "via a crafted {t}.",
    "An out-of-bounds read in {p} may disclose sensitive memory when processing a crafted {t}.",
    "A NULL pointer dereference in {p} allows attackers to cause a denial of service via a "
    "crafted {t}.",
    "An integer overflow in {p} can lead to memory corruption when handling a specially crafted "
    "{t}.",
    "Improper input validation in {p} allows a local user to escalate privileges through a "
    "crafted {t}.",
    "A use-after-free in {p} can be triggered by a malicious {t}, leading to a crash or code "
    "execution.",
    "Unbounded recursion in {p} when parsing a crafted {t} allows an attacker to exhaust the "
    "stack.",
    "Uncontrolled resource consumption in {p} lets a remote attacker cause a denial of service "
    "with a crafted {t}.",
)
THINGS = (
    "certificate", "HTTP/2 frame", "XML document", "archive", "regular expression",
    "TLS handshake", "URL", "environment variable", "input file", "compressed stream",
)  # fmt: skip
