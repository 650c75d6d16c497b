/** Adapter: the provisioner-service's configuration ({@code strongroom.provisioner.*}). */
package dev.strongroom.provisionerservice.config;
