/** The model repository: one {@code config.json} per served model, joined with its model.json shapes. */
package io.hps.gateway.repository;
