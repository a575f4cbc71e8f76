"""One training step of the lesson's SimpleNet (10 -> 5 ReLU -> 1 sigmoid): the five steps of backpropagation.

`one_training_step` is the page's own function: seed, build the network, draw one input with label 1, then
zero_grad -> forward -> loss -> backward -> step, keeping every gradient and every weight before and after.
"""

from playground.autograd.simple_net import one_training_step

seed = 0  # the network's weights and the input are drawn from it
step = one_training_step(seed)

print(f"output {step.output:.4f}   loss {step.loss:.4f}   loss after the step {step.loss_after:.4f}")
for name in step.grads:
    print(name, "gradient:\n", step.grads[name].round(4))
    print(name, "before -> after:\n", step.before[name].round(4), "\n", step.after[name].round(4))
