/** Not API: event-time formatting and PKCS#8 PEM handling used by the contracts packages only. */
package dev.strongroom.contracts.internal;
