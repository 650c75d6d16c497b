/** Adapter: the data-service's HTTP resource for audited record reads. */
package dev.strongroom.dataservice.rest;
