/**
 * The security alert event of {@code strongroom.security.alerts}: its kinds, severities and data.
 */
package dev.strongroom.contracts.alert;
