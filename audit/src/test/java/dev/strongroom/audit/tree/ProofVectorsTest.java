package dev.strongroom.audit.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of transparency-dev/merkle {@code testdata/inclusion} and {@code testdata/consistency}
 * (testvectors/merkle/SOURCE.md), negatives included: each verifies, or is refused, exactly as the
 * vector says; a happy path's proof is what {@link Proofs} generates for the reference tree.
 */
class ProofVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  /** transparency-dev/merkle testonly.LeafInputs (the RFC 6962 reference leaves). */
  static final List<byte[]> LEAVES =
      Stream.of(
              "",
              "00",
              "10",
              "2021",
              "3031",
              "40414243",
              "5051525354555657",
              "606162636465666768696a6b6c6d6e6f")
          .map(HEX::parseHex)
          .toList();

  /** testonly.RootHashes: roots of sizes 0..8. */
  static final List<String> ROOTS =
      List.of(
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  private static MerkleTree reference() {
    MerkleTree t = new MerkleTree();
    LEAVES.forEach(t::append);
    return t;
  }

  private static Path dir(String name) throws URISyntaxException {
    return Path.of(ProofVectorsTest.class.getResource("/testvectors/merkle/" + name).toURI());
  }

  private static List<Path> files(String name) throws Exception {
    try (Stream<Path> s = Files.walk(dir(name))) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  /** An unsigned 64-bit JSON number as Java's long bit pattern (above 2^63-1: negative). */
  private static long u64(JsonNode n) {
    return new BigInteger(n.asText()).longValue();
  }

  private static byte[] b64(JsonNode n) {
    return n == null || n.isNull() ? null : Base64.getDecoder().decode(n.asText());
  }

  private static List<byte[]> proof(JsonNode n) {
    List<byte[]> out = new ArrayList<>();
    if (n != null && !n.isNull()) {
      n.forEach(h -> out.add(b64(h)));
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> inclusionVectors() throws Exception {
    List<Path> fs = files("inclusion");
    Path base = dir("inclusion");
    assertEquals(98, fs.size(), "every inclusion vector is present");
    MerkleTree ref = reference();
    return fs.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    base.relativize(f).toString(),
                    () -> {
                      JsonNode v = JSON.readTree(f.toFile());
                      long index = u64(v.get("leafIdx"));
                      long size = u64(v.get("treeSize"));
                      byte[] leaf = b64(v.get("leafHash"));
                      byte[] root = b64(v.get("root"));
                      List<byte[]> p = proof(v.get("proof"));
                      if (v.get("wantErr").asBoolean()) {
                        assertThrows(
                            InvalidProofException.class,
                            () -> Proofs.verifyInclusion(index, size, leaf, p, root));
                      } else {
                        Proofs.verifyInclusion(index, size, leaf, p, root);
                        if (f.getFileName().toString().equals("happy-path.json")) {
                          assertEquals(p.size(), ref.inclusionProof(index, size).size());
                          for (int k = 0; k < p.size(); k++) {
                            assertArrayEquals(p.get(k), ref.inclusionProof(index, size).get(k));
                          }
                          assertArrayEquals(root, ref.root(size));
                        }
                      }
                    }));
  }

  @TestFactory
  Stream<DynamicTest> consistencyVectors() throws Exception {
    List<Path> fs = files("consistency");
    Path base = dir("consistency");
    assertEquals(98, fs.size(), "every consistency vector is present");
    MerkleTree ref = reference();
    return fs.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    base.relativize(f).toString(),
                    () -> {
                      JsonNode v = JSON.readTree(f.toFile());
                      long size1 = u64(v.get("size1"));
                      long size2 = u64(v.get("size2"));
                      byte[] root1 = b64(v.get("root1"));
                      byte[] root2 = b64(v.get("root2"));
                      List<byte[]> p = proof(v.get("proof"));
                      if (v.get("wantErr").asBoolean()) {
                        assertThrows(
                            InvalidProofException.class,
                            () -> Proofs.verifyConsistency(size1, size2, p, root1, root2));
                      } else {
                        Proofs.verifyConsistency(size1, size2, p, root1, root2);
                        if (f.getFileName().toString().equals("happy-path.json")) {
                          List<byte[]> g = ref.consistencyProof(size1, size2);
                          assertEquals(p.size(), g.size());
                          for (int k = 0; k < p.size(); k++) {
                            assertArrayEquals(p.get(k), g.get(k));
                          }
                        }
                      }
                    }));
  }

  @Test
  void referenceRoots_ofEverySize() {
    MerkleTree t = new MerkleTree();
    CompactRange r = CompactRange.empty();
    assertEquals(ROOTS.get(0), HEX.formatHex(t.root()));
    assertEquals(ROOTS.get(0), HEX.formatHex(r.root()));
    for (int n = 1; n <= 8; n++) {
      t.append(LEAVES.get(n - 1));
      r.append(Rfc6962.leafHash(LEAVES.get(n - 1)));
      assertEquals(ROOTS.get(n), HEX.formatHex(t.root()), "size " + n);
      assertEquals(ROOTS.get(n), HEX.formatHex(r.root()), "compact range, size " + n);
    }
  }

  @Test
  void everyGeneratedProof_verifies_andATamperedOneDoesNot() {
    MerkleTree t = new MerkleTree();
    for (int i = 0; i < 70; i++) {
      t.append(new byte[] {(byte) i, (byte) (i >> 8)});
    }
    for (long n = 1; n <= 70; n++) {
      byte[] root = t.root(n);
      for (long i = 0; i < n; i++) {
        Proofs.verifyInclusion(i, n, t.node(0, i), t.inclusionProof(i, n), root);
      }
      for (long m = 1; m <= n; m++) {
        Proofs.verifyConsistency(m, n, t.consistencyProof(m, n), t.root(m), root);
      }
    }
    List<byte[]> p = new ArrayList<>(t.inclusionProof(17, 70));
    byte[] bad = p.get(2).clone();
    bad[0] ^= 1;
    p.set(2, bad);
    InvalidProofException e =
        assertThrows(
            InvalidProofException.class,
            () -> Proofs.verifyInclusion(17, 70, t.node(0, 17), p, t.root(70)));
    assertTrue(e.getMessage().startsWith("calculated root "), e.getMessage());
    assertFalse(e.retriable());
    assertThrows(
        InvalidProofException.class,
        () -> Proofs.verifyConsistency(10, 70, t.consistencyProof(10, 70), t.root(11), t.root(70)));
  }

  @Test
  void compactRange_reportsEveryCompletedNode_andResumes() {
    MerkleTree t = new MerkleTree();
    CompactRange r = CompactRange.empty();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 37; i++) {
      byte[] entry = {(byte) i};
      t.append(entry);
      r.append(
          Rfc6962.leafHash(entry),
          (level, index, hash) -> {
            assertArrayEquals(t.node(level, index), hash, level + "/" + index);
            seen.add(level + "/" + index);
          });
    }
    // 37 leaves, 18 + 9 + 4 + 2 + 1 completed inner nodes
    assertEquals(37 + 18 + 9 + 4 + 2 + 1, seen.size());
    CompactRange resumed = CompactRange.of(37, r.hashes());
    assertArrayEquals(CompactRange.of(t, 37).root(), resumed.root());
    resumed.append(Rfc6962.leafHash(new byte[] {37}));
    t.append(new byte[] {37});
    assertArrayEquals(t.root(), resumed.root());
    assertThrows(IllegalArgumentException.class, () -> CompactRange.of(5, r.hashes()));
  }
}
