package dev.strongroom.audit.worm;

/** {@link WormStore#get} found no object with that name. Not retriable. */
public class WormObjectNotFoundException extends WormStoreException {
  private static final long serialVersionUID = 1L;

  private final String name;

  public WormObjectNotFoundException(String location, String name) {
    super("no object " + name + " in " + location, false, null);
    this.name = name;
  }

  /** The object name that was asked for. */
  public String name() {
    return name;
  }
}
