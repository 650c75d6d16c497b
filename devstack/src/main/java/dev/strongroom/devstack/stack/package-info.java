/**
 * The local stack: launching PKI, database, broker and services, and the stack descriptor ({@code
 * stack.json}, DESIGN §7).
 */
package dev.strongroom.devstack.stack;
