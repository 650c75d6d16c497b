/**
 * Adapter: the database through the Vert.x MySQL client over TLS 1.3 mutual TLS as {@code
 * app_user}, each call bound to the tenant of its signed token and calling only vetted procedures.
 */
package dev.strongroom.dataservice.db;
