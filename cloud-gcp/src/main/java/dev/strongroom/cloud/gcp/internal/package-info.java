/** Not API: helpers shared by this module's packages. */
package dev.strongroom.cloud.gcp.internal;
