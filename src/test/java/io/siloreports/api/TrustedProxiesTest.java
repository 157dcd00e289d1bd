package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who a request comes from: X-Forwarded-For believed only from a trusted proxy, read from its right end. */
class TrustedProxiesTest {
  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() throws Exception {
    TrustedProxies none = new TrustedProxies(null);
    assertTrue(none.isEmpty());
    assertEquals("198.51.100.9", none.client(ip("198.51.100.9"), List.of("203.0.113.1")));
  }

  @Test
  void fromATrustedProxyTheFirstUntrustedAddressFromTheRightIsTheClient() throws Exception {
    TrustedProxies p = new TrustedProxies("10.0.0.0/8, 192.168.1.7");
    // The client wrote "1.2.3.4" itself; the outer proxy 10.1.1.1 appended the client's real address, the inner
    // proxy appended 10.1.1.1's.
    assertEquals("203.0.113.5", p.client(ip("192.168.1.7"), List.of("1.2.3.4, 203.0.113.5, 10.1.1.1")));
    assertEquals("203.0.113.5", p.client(ip("10.9.9.9"), List.of("1.2.3.4", "203.0.113.5")), "two header lines");
    assertEquals("10.2.2.2", p.client(ip("10.9.9.9"), List.of("10.2.2.2")), "every hop trusted: the leftmost");
    assertEquals("192.168.1.7", p.client(ip("192.168.1.7"), List.of()), "no header: the proxy itself");
    assertEquals("192.168.1.8", p.client(ip("192.168.1.8"), List.of("203.0.113.5")), "a /32 is one address");
    assertEquals("10.1.1.1", p.client(ip("10.1.1.1"), List.of("localhost, not-an-address")),
        "names are not addresses (and never looked up)");
  }

  @Test
  void ipv6BlocksAndAddressesAreMatchedByTheirBits() throws Exception {
    TrustedProxies p = new TrustedProxies("fd00::/8, ::1");
    assertEquals("2001:db8:0:0:0:0:0:1", p.client(ip("fd12:3456::1"), List.of("2001:db8::1")));
    assertEquals("2001:db8:0:0:0:0:0:1", p.client(ip("::1"), List.of("[2001:db8::1]")));
    assertEquals("fe80:0:0:0:0:0:0:1", p.client(ip("fe80::1"), List.of("2001:db8::1")), "fe80:: is not in fd00::/8");
    assertFalse(p.trusts(ip("10.0.0.1")), "an IPv4 address is not in an IPv6 block");
    assertTrue(new TrustedProxies("172.16.0.0/12").trusts(ip("172.31.255.255")));
    assertFalse(new TrustedProxies("172.16.0.0/12").trusts(ip("172.32.0.0")));
  }

  @Test
  void aWrongEntryIsAStartUpError() {
    for (String bad : List.of("10.0.0.0/33", "proxy.internal", "10.0.0/8", "::1/129", "999.1.1.1", "10.0.0.0/x")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrustedProxies(bad), bad);
      assertTrue(e.getMessage().startsWith("api.trusted-proxies: "), e.getMessage());
    }
  }
}
