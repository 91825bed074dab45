/**
 * Registers TensorFlow.js's gradient functions (every core op), which `tf.grad`,
 * `tf.variableGrads` and optimizers need. `@tensorflow/tfjs-core`'s npm entry point does
 * not register them (the `@tensorflow/tfjs` union package does); importing this module
 * once, after `backend.ts`, does. Without it, backward passes fail with
 * "gradient function not found for <Op>".
 *
 * @module
 */
import "./backend.ts";
import "./vendor/tfjs_gradients.js";
