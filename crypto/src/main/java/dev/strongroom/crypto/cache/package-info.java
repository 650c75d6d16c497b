/** The per-tenant data-key cache and its policy (how long and how often a data key is reused). */
package dev.strongroom.crypto.cache;
