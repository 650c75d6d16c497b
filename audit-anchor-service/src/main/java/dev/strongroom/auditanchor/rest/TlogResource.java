package dev.strongroom.auditanchor.rest;

import dev.strongroom.auditanchor.scheduling.AnchorWatch;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * The log, read-only, the way C2SP tlog-tiles clients read it (DESIGN §5): {@code GET
 * /tlog/checkpoint} is the newest checkpoint in the WORM store ({@code text/plain; charset=utf-8},
 * not cached), {@code GET /tlog/tile/<L>/<N>[.p/<W>]} and {@code /tlog/tile/entries/<N>[.p/<W>]}
 * its tiles and bundles ({@code application/octet-stream}, immutable). A name that is not a tile
 * path, or an object the store does not hold, is 404; a service that publishes nothing answers 404
 * everywhere.
 */
@Path("/tlog")
public class TlogResource {
  private static final String TILE =
      "(entries|[0-9]|[1-5][0-9]|6[0-3])/(x[0-9]{3}/)*[0-9]{3}(\\.p/[0-9]{1,3})?";

  private final AnchorWatch watch;

  public TlogResource(AnchorWatch watch) {
    this.watch = watch;
  }

  @GET
  @Path("/checkpoint")
  public Response checkpoint() {
    Optional<byte[]> note = watch.newestCheckpoint();
    return note.isEmpty()
        ? Response.status(404).type("text/plain; charset=utf-8").entity("no checkpoint\n").build()
        : Response.ok(note.get(), "text/plain; charset=utf-8")
            .header("Cache-Control", "no-cache")
            .build();
  }

  @GET
  @Path("/tile/{path: .+}")
  public Response tile(@PathParam("path") String path) {
    if (!path.matches(TILE)) {
      return Response.status(404).build();
    }
    Optional<byte[]> b = watch.object("tile/" + path);
    return b.isEmpty()
        ? Response.status(404).build()
        : Response.ok(b.get(), "application/octet-stream")
            .header("Cache-Control", "public, max-age=31536000, immutable")
            .build();
  }
}
