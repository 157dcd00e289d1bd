package io.siloreports.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who a request comes from: the socket's peer, or, when the peer is one of {@code api.trusted-proxies} (addresses and
 * CIDR blocks, IPv4 and IPv6), the address its {@code X-Forwarded-For} names. The header is read from its right end
 * (what the nearest proxy appended) leftwards, skipping trusted proxies: the first address that is not one is the
 * client. A client can write anything at the left of the header, so nothing left of it is believed.
 */
final class TrustedProxies {
  private record Block(byte[] network, int bits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      return rest == 0 || ((address[full] ^ network[full]) & (0xff << (8 - rest)) & 0xff) == 0;
    }
  }

  private final List<Block> blocks = new ArrayList<>();

  /** @param spec comma-separated addresses or CIDR blocks ({@code 10.0.0.0/8, ::1}); null or blank: none */
  TrustedProxies(String spec) {
    if (spec == null || spec.isBlank()) {
      return;
    }
    for (String entry : spec.split(",")) {
      String e = entry.trim();
      int slash = e.indexOf('/');
      byte[] network = literal(slash < 0 ? e : e.substring(0, slash));
      int bits;
      try {
        bits = slash < 0 ? network == null ? 0 : network.length * 8 : Integer.parseInt(e.substring(slash + 1));
      } catch (NumberFormatException ex) {
        bits = -1;
      }
      if (network == null || bits < 0 || bits > network.length * 8) {
        throw new IllegalArgumentException("api.trusted-proxies: '" + HttpError.clip(e) + "' is not an IP address or"
            + " a CIDR block (10.0.0.0/8, fd00::/8)");
      }
      blocks.add(new Block(network, bits));
    }
  }

  boolean isEmpty() {
    return blocks.isEmpty();
  }

  boolean trusts(InetAddress address) {
    return address != null && trusts(address.getAddress());
  }

  private boolean trusts(byte[] address) {
    for (Block b : blocks) {
      if (b.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client's address as text: the peer's, or, from a trusted peer, the first untrusted address of the
   * forwarded-for chain (all the header lines joined, in order); the leftmost when every hop is trusted.
   */
  String client(InetAddress peer, List<String> forwardedFor) {
    String peerText = peer == null ? "unknown" : peer.getHostAddress();
    if (!trusts(peer) || forwardedFor == null || forwardedFor.isEmpty()) {
      return peerText;
    }
    String[] hops = String.join(",", forwardedFor).split(",");
    String client = peerText;
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      byte[] address = literal(hop);
      if (address == null) {
        // Not an address: written by whoever sent it to the proxy trusted last, who is then the client.
        return client;
      }
      client = normalized(address, hop);
      if (!trusts(address)) {
        return client;
      }
    }
    return client;
  }

  private static String normalized(byte[] address, String text) {
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      return text;
    }
  }

  /** The bytes of an IPv4 or IPv6 literal, or null for anything else (never a name lookup). */
  static byte[] literal(String text) {
    String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}")
        && java.util.Arrays.stream(t.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255);
    boolean v6 = t.contains(":") && t.matches("[0-9A-Fa-f:.]{2,45}");
    if (!v4 && !v6) {
      return null; // InetAddress would look a name up in DNS
    }
    try {
      return InetAddress.getByName(t).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
