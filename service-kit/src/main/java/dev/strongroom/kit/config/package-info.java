/** The {@code strongroom.events.*} configuration every service shares. */
package dev.strongroom.kit.config;
