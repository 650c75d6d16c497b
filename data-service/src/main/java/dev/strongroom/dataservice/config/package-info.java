/** Adapter: the data-service's typed configuration and the beans built from it. */
package dev.strongroom.dataservice.config;
