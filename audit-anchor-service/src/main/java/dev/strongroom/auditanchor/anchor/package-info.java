/**
 * The audit plane's publishing core, free of Quarkus: the chain as a C2SP transparency log — signed
 * checkpoints, tiles and entry bundles in the WORM store every interval (DESIGN §5).
 */
package dev.strongroom.auditanchor.anchor;
