package dev.strongroom.cloud.gcp.fake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartTest {
  @Test
  void parsesMetadataAndBinaryBody_evenWhenTheBodyHoldsCrLfAndDashes() {
    String ct = "multipart/related; boundary=\"__END_OF_PART__x\"";
    byte[] media = "line\r\n--not-a-boundary\r\n\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String head =
        String.join(
            "\r\n",
            "--__END_OF_PART__x",
            "Content-Type: application/json; charset=UTF-8",
            "",
            "{\"name\":\"a\"}",
            "--__END_OF_PART__x",
            "Content-Type: application/octet-stream",
            "content-transfer-encoding: binary",
            "",
            "");
    body.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    body.writeBytes(media);
    body.writeBytes("\r\n--__END_OF_PART__x--\r\n".getBytes(StandardCharsets.ISO_8859_1));
    List<Multipart.Part> parts = Multipart.parse(body.toByteArray(), Multipart.boundary(ct));
    assertEquals(2, parts.size());
    assertEquals("{\"name\":\"a\"}", new String(parts.get(0).body(), StandardCharsets.UTF_8));
    assertEquals("application/octet-stream", parts.get(1).headers().get("content-type"));
    assertArrayEquals(media, parts.get(1).body());
  }

  @Test
  void aBodyWithoutItsBoundary_isA400() {
    GcsError e =
        assertThrows(
            GcsError.class, () -> Multipart.parse("junk".getBytes(StandardCharsets.US_ASCII), "b"));
    assertEquals(400, e.status);
  }
}
