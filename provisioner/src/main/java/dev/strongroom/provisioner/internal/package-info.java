/** Not API: file and process helpers shared by the provisioner's packages. */
package dev.strongroom.provisioner.internal;
