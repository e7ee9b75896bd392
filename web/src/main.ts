import { mount } from 'svelte';
import App from './App.svelte';
import { createAppContext } from './lib/app.ts';
import './styles.css';

const ctx = createAppContext();
ctx.live.start();
void ctx.session.load();
void ctx.catalogue.load();
void ctx.announcements.load();
ctx.live.onResync(() => void ctx.catalogue.load(true));

mount(App, { target: document.getElementById('app')!, props: { ctx } });
