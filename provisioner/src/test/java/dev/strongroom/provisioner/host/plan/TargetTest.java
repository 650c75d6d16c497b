package dev.strongroom.provisioner.host.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strongroom.provisioner.host.InvalidHostOptionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetTest {
  @Test
  void forms_parseAndPrintBack() {
    assertEquals(Target.LOCAL, Target.parse("local"));
    Target t = Target.parse("ssh://root@db1.example.net");
    assertEquals("root", t.user());
    assertEquals("db1.example.net", t.host());
    assertEquals(22, t.port());
    assertEquals("ssh://root@db1.example.net", t.toString());
    Target v6 = Target.parse("ssh://ops@[2001:db8::7]:2222");
    assertEquals("2001:db8::7", v6.host());
    assertEquals(2222, v6.port());
    assertEquals("ssh://ops@[2001:db8::7]:2222", v6.toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "LOCAL",
        "ssh://db1",
        "ssh://@db1",
        "ssh://root@",
        "ssh://Root@db1",
        "ssh://root@db1:0",
        "ssh://root@db1:022",
        "ssh://root@db1:22/extra",
        "ssh://root@db1;rm -rf /",
        "ssh://root@-db1",
        "ssh://root@2001:db8::7",
        "sftp://root@db1",
        "ssh://root:pw@db1"
      })
  void malformed_isRefused(String text) {
    assertEquals(
        "target '" + text + "' is neither 'local' nor ssh://user@host[:port]",
        assertThrows(InvalidHostOptionException.class, () -> Target.parse(text)).detail());
  }

  @Test
  void portAbove65535_isRefused() {
    assertEquals(
        "target 'ssh://root@db1:70000': port 70000 exceeds 65535",
        assertThrows(InvalidHostOptionException.class, () -> Target.parse("ssh://root@db1:70000"))
            .detail());
  }
}
