/** The demo flow and the SIEM's side of the alerts topic it shows. */
package dev.strongroom.devstack.demo;
