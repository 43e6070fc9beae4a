/*
 * protect: what a board must refuse of a scenario. A board's "protected:" devices (the bus that
 * holds its PMIC, its console's UART) are never unbound or bound: unbinding the PMIC's bus
 * takes the board's supplies with it, so the run could not even report. The check is made where
 * a run is asked for (before the board is powered, booted or a run row exists) and again by
 * the runner at the step itself, in case some path skipped the first.
 */
#ifndef RIG_PROTECT_H
#define RIG_PROTECT_H

#include <stddef.h>

#include "conf.h"
#include "vocab.h"

/* 1 for the steps that detach or attach a device's driver (unbind, bind). */
int protect_step_detaches(enum step_kind k);

/* The protected entry a step would touch on board b, or NULL when the step is allowed. */
const struct conf_protected *protect_step(const struct board_conf *b, const struct scen_step *st);

/* The protected entry for a device name ("e60b0000.i2c") on board b, or NULL. */
const struct conf_protected *protect_device(const struct board_conf *b, const char *device);

/*
 * Whether board b can run scenario sc: ERROR_NONE, ERROR_SCEN_CLASS (a class the board lacks)
 * or ERROR_SCEN_PROTECTED (a step on a protected device); why gets the sentence naming board,
 * class, device, step and the board's reason ("board salvator-xs refuses i2c-unbind: step 2
 * unbinds devices.pmic (e60b0000.i2c), protected: PMIC (i2c_dvfs)").
 */
enum error_kind protect_runnable(const struct board_conf *b, const struct scenario *sc,
    char *why, size_t size);

/* The sentence for one refused step (the runner's detail). */
void protect_why(const struct board_conf *b, const char *scenario, int stepno,
    const struct scen_step *st, const struct conf_protected *p, char *why, size_t size);

#endif
