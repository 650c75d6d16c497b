package dev.strongroom.proof.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SR-DB-PRIV-08 reads a role's privileges from {@code SHOW GRANTS} lines (MariaDB lists them
 * nowhere in information_schema): what in one line makes its grantee an administrator, in both
 * dialects' spellings.
 */
class PowerfulGrantLineTest {
  @Test
  void administratorsPrivileges_globalWritesAndGrantTableWrites_areNamed() {
    assertEquals(
        List.of("SUPER ON *.*", "BINLOG REPLAY ON *.*"),
        DatabaseControls.powerfulIn("GRANT SUPER, RELOAD, BINLOG REPLAY ON *.* TO `sr_ops`"));
    assertEquals(
        List.of("ALL PRIVILEGES ON *.*", "WITH GRANT OPTION ON *.*"),
        DatabaseControls.powerfulIn("GRANT ALL PRIVILEGES ON *.* TO `r` WITH GRANT OPTION"));
    assertEquals(
        List.of("SYSTEM_USER ON *.*", "SET_ANY_DEFINER ON *.*"),
        DatabaseControls.powerfulIn(
            "GRANT SYSTEM_USER,SET_ANY_DEFINER ON *.* TO `r`@`%`".replace(",", ", ")));
    assertEquals(
        List.of("DELETE ON *.*"), DatabaseControls.powerfulIn("GRANT DELETE ON *.* TO `r`"));
    assertEquals(
        List.of("INSERT ON mysql.*"),
        DatabaseControls.powerfulIn("GRANT SELECT, INSERT ON `mysql`.* TO `r`"));
    assertEquals(
        List.of("UPDATE ON mysql.global_priv"),
        DatabaseControls.powerfulIn("GRANT UPDATE ON `mysql`.`global_priv` TO `r`"));
    assertEquals(
        List.of("UPDATE ON mysql.global_priv"),
        DatabaseControls.powerfulIn(
            "GRANT SELECT (`User`, `Host`), UPDATE (`Priv`) ON `mysql`.`global_priv` TO `r`"));
    assertEquals(
        List.of("REPLICATION SLAVE ON *.*"),
        DatabaseControls.powerfulIn("GRANT REPLICATION SLAVE ON *.* TO `r`"));
    assertEquals(
        List.of("PROXY ON 'root'@'localhost'"),
        DatabaseControls.powerfulIn("GRANT PROXY ON 'root'@'localhost' TO `r`"));
  }

  @Test
  void applicationPrivileges_andRoleGrants_areNot() {
    assertEquals(List.of(), DatabaseControls.powerfulIn("GRANT USAGE ON *.* TO `r`"));
    assertEquals(
        List.of(), DatabaseControls.powerfulIn("GRANT RELOAD, BINLOG MONITOR ON *.* TO `r`"));
    assertEquals(
        List.of(),
        DatabaseControls.powerfulIn("GRANT INSERT, UPDATE, DELETE ON `strongroom`.* TO `r`"));
    assertEquals(List.of(), DatabaseControls.powerfulIn("GRANT SELECT ON `mysql`.* TO `r`"));
    assertEquals(List.of(), DatabaseControls.powerfulIn("GRANT `inner_role` TO `r`"));
  }
}
