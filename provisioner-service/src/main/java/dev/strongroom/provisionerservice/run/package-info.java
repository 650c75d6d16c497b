/**
 * Core (no Quarkus): one provisioning run per request — the host bundle rendered from the request's
 * options, its plan checked or applied on the target, progress per step, the result recorded by
 * request id.
 */
package dev.strongroom.provisionerservice.run;
