package dev.strongroom.contracts.envelope;

/**
 * Member names of the signed envelope (CloudEvents 1.0 structured JSON + Strongroom extensions).
 */
public final class Attributes {
  public static final String SPECVERSION = "specversion";
  public static final String ID = "id";
  public static final String SOURCE = "source";
  public static final String TYPE = "type";
  public static final String TIME = "time";
  public static final String DATACONTENTTYPE = "datacontenttype";
  public static final String SUBJECT = "subject";
  public static final String DATA = "data";
  public static final String DATA_BASE64 = "data_base64";
  public static final String SIGALG = "sigalg";
  public static final String SIGKID = "sigkid";
  public static final String SIG = "sig";

  public static final String SPECVERSION_1_0 = "1.0";
  public static final String APPLICATION_JSON = "application/json";
  public static final String ED25519 = "ed25519";

  private Attributes() {}
}
