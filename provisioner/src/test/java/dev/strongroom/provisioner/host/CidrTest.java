package dev.strongroom.provisioner.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strongroom.contracts.errors.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {
  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.0.0.0/8",
    "192.0.2.7/32, 192.0.2.7/32",
    "0.0.0.0/0, 0.0.0.0/0",
    "2001:DB8::/32, 2001:db8::/32",
    "2001:0db8:0000:0000:0000:0000:0000:0000/32, 2001:db8::/32",
    "fd00:0:0:1::/64, fd00:0:0:1::/64",
    "2001:db8:0:0:1:0:0:1/128, 2001:db8::1:0:0:1/128",
    "::1/128, ::1/128",
  })
  void validCidr_parsesToCanonicalForm(String in, String canonical) {
    Cidr c = Cidr.parse(in);
    assertEquals(canonical, c.toString());
    assertEquals(canonical, Cidr.parse(canonical).toString());
    assertEquals(c, Cidr.parse(canonical));
  }

  @Test
  void family_isReported() {
    assertFalse(Cidr.parse("10.1.0.0/16").isIpv6());
    assertTrue(Cidr.parse("fd00::/8").isIpv6());
    assertEquals(16, Cidr.parse("10.1.0.0/16").prefixLength());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.1|CIDR '10.0.0.1' has no prefix length (write e.g. 10.0.0.1/32 for one host)",
        "10.0.0.1/8|CIDR '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)",
        "10.0.0.0/33|CIDR '10.0.0.0/33': prefix length 33 exceeds 32",
        "10.0.0.0/08|CIDR '10.0.0.0/08': bad prefix length '08'",
        "10.0.0.0/+8|CIDR '10.0.0.0/+8': bad prefix length '+8'",
        "10.0.0.0/|CIDR '10.0.0.0/': bad prefix length ''",
        "010.0.0.0/8|CIDR '010.0.0.0/8': not an IPv4 or IPv6 address",
        "256.0.0.0/8|CIDR '256.0.0.0/8': octet 256 exceeds 255",
        "10.0.0/24|CIDR '10.0.0/24': not an IPv4 or IPv6 address",
        "10.0.0.0 /8|CIDR '10.0.0.0 /8': not an IPv4 or IPv6 address",
        "example.com/24|CIDR 'example.com/24': not an IPv4 or IPv6 address",
        "localhost/32|CIDR 'localhost/32': not an IPv4 or IPv6 address",
        "fe80::1%eth0/128|CIDR 'fe80::1%eth0/128': not an IPv4 or IPv6 address",
        "::ffff:10.0.0.0/104|CIDR '::ffff:10.0.0.0/104': not an IPv4 or IPv6 address",
        "2001:db8::/129|CIDR '2001:db8::/129': prefix length 129 exceeds 128",
        "2001:db8::1/32|CIDR '2001:db8::1/32' has host bits set (did you mean 2001:db8::/32?)",
        "2001:db8::1::/64|CIDR '2001:db8::1::/64': more than one '::'",
        "2001:db8:00000::/48|CIDR '2001:db8:00000::/48': group '00000' too long",
        "1:2:3:4:5:6:7:8:9/128|CIDR '1:2:3:4:5:6:7:8:9/128': not an IPv6 address",
        "10.0.0.0/8/8|CIDR '10.0.0.0/8/8': bad prefix length '8/8'",
      })
  void malformedCidr_isRefusedWithItsReason(String in, String message) {
    InvalidHostOptionException e =
        assertThrows(InvalidHostOptionException.class, () -> Cidr.parse(in));
    assertEquals(message, e.detail());
    assertEquals("SCHEMA: " + message, e.getMessage());
    assertEquals(ErrorCode.SCHEMA, e.code());
  }

  @Test
  void surroundingWhitespace_isRefused() {
    assertEquals(
        "CIDR ' 10.0.0.0/8': not an IPv4 or IPv6 address",
        assertThrows(InvalidHostOptionException.class, () -> Cidr.parse(" 10.0.0.0/8")).detail());
    assertEquals(
        "CIDR '10.0.0.0/8\n': bad prefix length '8\n'",
        assertThrows(InvalidHostOptionException.class, () -> Cidr.parse("10.0.0.0/8\n")).detail());
  }

  @Test
  void emptyCidr_isRefused() {
    assertEquals(
        "empty CIDR",
        assertThrows(InvalidHostOptionException.class, () -> Cidr.parse("")).detail());
  }
}
