package dev.strongroom.auditanchor.syslog;

import dev.strongroom.auditanchor.anchor.AnchorFanout;
import dev.strongroom.contracts.audit.CheckpointAnchored;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;

/** The syslog sink of {@link AnchorFanout}: one {@link SyslogMessage} per checkpoint. */
public final class SyslogAnchorSink implements AnchorFanout.Sink {
  private final SyslogTransport transport;
  private final String hostname;
  private final long pid;
  private final Clock clock;

  public SyslogAnchorSink(SyslogTransport transport, String hostname, long pid, Clock clock) {
    this.transport = Objects.requireNonNull(transport);
    SyslogMessage.checkHeaderField("hostname", hostname, 255);
    this.hostname = hostname;
    this.pid = pid;
    this.clock = Objects.requireNonNull(clock);
  }

  @Override
  public String name() {
    return "syslog:" + transport.target();
  }

  @Override
  public void send(CheckpointAnchored anchor) throws IOException {
    transport.send(SyslogMessage.format(anchor, clock.instant(), hostname, pid));
  }
}
